// 公安执法办案系统: suspect tabs and the system notice. Plain script, no library.
(function () {
  "use strict";
  function showTab(tab) {
    var bar = tab.parentNode;
    var tabs = bar.querySelectorAll('[role="tab"]');
    for (var i = 0; i < tabs.length; i++) {
      var t = tabs[i];
      var on = t === tab;
      t.classList.toggle("active", on);
      t.setAttribute("aria-selected", on ? "true" : "false");
      var panel = document.getElementById(t.getAttribute("aria-controls"));
      if (panel) { panel.hidden = !on; }
    }
  }
  document.addEventListener("click", function (ev) {
    var tab = ev.target.closest && ev.target.closest('[role="tab"]');
    if (tab) { ev.preventDefault(); showTab(tab); return; }
    if (ev.target.id === "sys-notice-close") {
      var box = document.getElementById("sys-notice");
      if (box) { box.parentNode.removeChild(box); }
    }
  });
})();
