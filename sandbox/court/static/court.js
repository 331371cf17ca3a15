/* 审判流程管理系统: shared page behaviour (system notice, toasts, masked date inputs). */
(function () {
  "use strict";

  // -- system notice: blocks the page until "我已阅读" is clicked ------------
  var ack = document.getElementById("notice-ack");
  if (ack) {
    ack.addEventListener("click", function () {
      var bd = document.getElementById("notice-backdrop");
      if (bd) bd.parentNode.removeChild(bd);
      document.body.classList.remove("modal-open");
    });
  }

  // -- toasts ------------------------------------------------------------------
  window.courtToast = function (kind, html, ms) {
    var box = document.getElementById("toast-box");
    var t = document.createElement("div");
    t.className = "toast toast-" + kind;
    t.setAttribute("role", "status");
    t.innerHTML = '<button type="button" class="toast-close" aria-label="关闭">×</button>' + html;
    t.querySelector(".toast-close").addEventListener("click", function () { t.remove(); });
    box.appendChild(t);
    setTimeout(function () { t.classList.add("toast-hide"); }, ms || 10000);
    setTimeout(function () { t.remove(); }, (ms || 10000) + 400);
    return t;
  };

  // -- masked dates: YYYY/MM/DD, digits only -----------------------------------
  function fmt(d) {
    d = d.slice(0, 8);
    if (d.length > 6) return d.slice(0, 4) + "/" + d.slice(4, 6) + "/" + d.slice(6);
    if (d.length > 4) return d.slice(0, 4) + "/" + d.slice(4);
    return d;
  }
  function digits(v) { return (v || "").replace(/[^0-9]/g, ""); }
  window.courtMask = {
    fmt: fmt,
    /** "YYYY-MM-DD" of a complete valid date, "" when empty, null when incomplete/invalid. */
    iso: function (v) {
      var d = digits(v);
      if (!d) return "";
      if (d.length !== 8) return null;
      var y = +d.slice(0, 4), m = +d.slice(4, 6), day = +d.slice(6, 8);
      var dt = new Date(y, m - 1, day);
      if (y < 1900 || dt.getFullYear() !== y || dt.getMonth() !== m - 1 || dt.getDate() !== day) return null;
      return d.slice(0, 4) + "-" + d.slice(4, 6) + "-" + d.slice(6, 8);
    }
  };
  function isMask(el) { return el && el.classList && el.classList.contains("mask-date"); }
  document.addEventListener("keydown", function (e) {
    var el = e.target;
    if (!isMask(el) || e.ctrlKey || e.metaKey || e.altKey) return;
    var k = e.key;
    if (k === "Tab" || k === "Enter" || k === "Escape" || k.indexOf("Arrow") === 0 || k === "Home" || k === "End") return;
    e.preventDefault();
    var all = el.selectionStart === 0 && el.selectionEnd === el.value.length && el.value.length > 0;
    var d = all ? "" : digits(el.value);
    if (/^[0-9]$/.test(k)) {
      if (d.length < 8) d += k;
    } else if (k === "Backspace") {
      d = all ? "" : d.slice(0, -1);
    } else if (k === "Delete") {
      if (all) d = "";
    } else {
      return; // letters, "-" and "/" are ignored: the mask puts the separators itself
    }
    el.value = fmt(d);
    el.classList.remove("is-invalid");
    el.dispatchEvent(new Event("mask-change", { bubbles: true }));
  });
  // pasted or autofilled text goes through the same mask
  document.addEventListener("input", function (e) {
    var el = e.target;
    if (!isMask(el)) return;
    var v = fmt(digits(el.value));
    if (v !== el.value) el.value = v;
    el.classList.remove("is-invalid");
  });
  document.addEventListener("focusout", function (e) {
    var el = e.target;
    if (!isMask(el)) return;
    var bad = window.courtMask.iso(el.value) === null;
    el.classList.toggle("is-invalid", bad);
    el.title = bad ? "日期不完整或不合法，格式：YYYY/MM/DD" : "";
  });
})();
