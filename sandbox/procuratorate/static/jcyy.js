/* 检察业务应用系统 — page behaviour: notice layer, tabs, code pickers, calendar, person-card dialog. */
(function () {
  "use strict";
  var JC = window.JC = window.JC || {};

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /* ---- system notice (blocks the page until closed) ---- */
  function closeNotice() {
    ["sysNotice", "sysNoticeShade"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) el.parentNode.removeChild(el);
    });
  }
  $all(".sys-notice .notice-close").forEach(function (b) { b.addEventListener("click", closeNotice); });

  /* ---- tabs ---- */
  $all(".tabs .tab").forEach(function (tab) {
    tab.addEventListener("click", function () {
      $all(".tab", tab.parentNode).forEach(function (t) {
        t.classList.toggle("on", t === tab);
        var pane = document.getElementById(t.getAttribute("data-pane"));
        if (pane) pane.hidden = t !== tab;
      });
    });
  });

  /* ---- code picker dialogs ---- */
  function pickerState(dlg) {
    var hidden = document.getElementById(dlg.getAttribute("data-target"));
    return hidden.value ? hidden.value.split(",") : [];
  }
  function nameOf(dlg, code) {
    var li = $('.dm-list li[data-code="' + code + '"]', dlg);
    return li ? li.getAttribute("data-name") : code;
  }
  function renderChosen(dlg) {
    var multi = dlg.getAttribute("data-multi") === "1";
    $all(".dm-list li", dlg).forEach(function (li) {
      li.classList.toggle("sel", dlg._chosen.indexOf(li.getAttribute("data-code")) >= 0);
    });
    if (!multi) return;
    var ol = $(".dm-chosen", dlg);
    ol.innerHTML = "";
    dlg._chosen.forEach(function (code) {
      var li = document.createElement("li");
      li.setAttribute("data-code", code);
      li.textContent = code + " " + nameOf(dlg, code);
      ol.appendChild(li);
    });
  }
  function openPicker(id) {
    var dlg = document.getElementById(id);
    dlg._chosen = pickerState(dlg);
    var search = $(".dm-search", dlg);
    search.value = "";
    filterList(dlg, "");
    renderChosen(dlg);
    dlg.hidden = false;
    search.focus();
  }
  function closePicker(dlg) { dlg.hidden = true; }
  function filterList(dlg, q) {
    q = q.trim();
    $all(".dm-list li", dlg).forEach(function (li) {
      var code = li.getAttribute("data-code"), name = li.getAttribute("data-name");
      li.hidden = !!q && code.indexOf(q) !== 0 && name.indexOf(q) < 0;
    });
  }
  $all(".dm-text, .dm-btn").forEach(function (el) {
    el.addEventListener("click", function () { openPicker(el.getAttribute("data-dialog")); });
  });
  $all(".dm-dialog").forEach(function (dlg) {
    var multi = dlg.getAttribute("data-multi") === "1";
    $(".dm-search", dlg).addEventListener("input", function (e) { filterList(dlg, e.target.value); });
    $(".dm-list", dlg).addEventListener("click", function (e) {
      var li = e.target.closest("li");
      if (!li) return;
      var code = li.getAttribute("data-code");
      if (multi) {
        if (dlg._chosen.indexOf(code) < 0) dlg._chosen.push(code);
      } else {
        dlg._chosen = [code];
      }
      renderChosen(dlg);
    });
    $(".dm-list", dlg).addEventListener("dblclick", function () { if (!multi) $(".dm-ok", dlg).click(); });
    var chosen = $(".dm-chosen", dlg);
    if (chosen) chosen.addEventListener("click", function (e) {
      var li = e.target.closest("li");
      if (!li) return;
      dlg._chosen = dlg._chosen.filter(function (c) { return c !== li.getAttribute("data-code"); });
      renderChosen(dlg);
    });
    var clear = $(".dm-clear", dlg);
    if (clear) clear.addEventListener("click", function () { dlg._chosen = []; renderChosen(dlg); });
    $(".dm-ok", dlg).addEventListener("click", function () {
      var target = dlg.getAttribute("data-target");
      document.getElementById(target).value = dlg._chosen.join(",");
      document.getElementById(target + "_mc").value = dlg._chosen.map(function (c) { return nameOf(dlg, c); }).join("、");
      closePicker(dlg);
    });
    $(".dm-cancel", dlg).addEventListener("click", function () { closePicker(dlg); });
    $(".dm-x", dlg).addEventListener("click", function () { closePicker(dlg); });
  });

  /* ---- calendar (the only way to set a date: the inputs are read-only) ---- */
  var cal = null, calInput = null, calY = 0, calM = 0;
  function buildCalendar() {
    cal = document.createElement("div");
    cal.id = "calPop";
    cal.className = "cal-pop";
    cal.hidden = true;
    var thisYear = new Date().getFullYear(), years = "", months = "";
    for (var y = thisYear + 5; y >= 1900; y--) years += '<option value="' + y + '">' + y + "年</option>";
    for (var m = 1; m <= 12; m++) months += '<option value="' + m + '">' + m + "月</option>";
    cal.innerHTML =
      '<div class="cal-head"><a class="cal-py" title="上一年">«</a><a class="cal-pm" title="上一月">‹</a>' +
      '<select class="cal-y">' + years + '</select><select class="cal-m">' + months + "</select>" +
      '<span class="cal-title"></span><a class="cal-nm" title="下一月">›</a><a class="cal-ny" title="下一年">»</a></div>' +
      '<table class="cal-grid"><thead><tr><th>日</th><th>一</th><th>二</th><th>三</th><th>四</th><th>五</th><th>六</th>' +
      "</tr></thead><tbody></tbody></table>" +
      '<div class="cal-foot"><a class="cal-today">今天</a><a class="cal-clear">清空</a><a class="cal-close">关闭</a></div>';
    document.body.appendChild(cal);
    $(".cal-py", cal).addEventListener("click", function () { show(calY - 1, calM); });
    $(".cal-ny", cal).addEventListener("click", function () { show(calY + 1, calM); });
    $(".cal-pm", cal).addEventListener("click", function () { calM === 0 ? show(calY - 1, 11) : show(calY, calM - 1); });
    $(".cal-nm", cal).addEventListener("click", function () { calM === 11 ? show(calY + 1, 0) : show(calY, calM + 1); });
    $(".cal-y", cal).addEventListener("change", function (e) { show(parseInt(e.target.value, 10), calM); });
    $(".cal-m", cal).addEventListener("change", function (e) { show(calY, parseInt(e.target.value, 10) - 1); });
    $(".cal-today", cal).addEventListener("click", function () {
      var d = new Date();
      pick(d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()));
    });
    $(".cal-clear", cal).addEventListener("click", function () { pick(""); });
    $(".cal-close", cal).addEventListener("click", function () { cal.hidden = true; });
    $("tbody", cal).addEventListener("click", function (e) {
      var td = e.target.closest("td.cal-d");
      if (td && !td.classList.contains("cal-o")) pick(td.getAttribute("data-date"));
    });
  }
  function pick(value) {
    calInput.value = value;
    calInput.dispatchEvent(new Event("change", { bubbles: true }));
    cal.hidden = true;
  }
  function show(y, m) {
    calY = y; calM = m;
    $(".cal-y", cal).value = String(y);
    $(".cal-m", cal).value = String(m + 1);
    $(".cal-title", cal).textContent = y + "年" + (m + 1) + "月";
    var first = new Date(y, m, 1), start = new Date(y, m, 1 - first.getDay()), html = "";
    for (var w = 0; w < 6; w++) {
      html += "<tr>";
      for (var i = 0; i < 7; i++) {
        var d = new Date(start.getFullYear(), start.getMonth(), start.getDate() + w * 7 + i);
        var iso = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
        var other = d.getMonth() !== m;
        var cls = "cal-d" + (other ? " cal-o" : "") + (calInput && calInput.value === iso ? " cal-sel" : "");
        html += '<td class="' + cls + '" data-date="' + iso + '">' + d.getDate() + "</td>";
      }
      html += "</tr>";
    }
    $("tbody", cal).innerHTML = html;
  }
  function openCalendar(input) {
    if (!cal) buildCalendar();
    calInput = input;
    var v = /^(\d{4})-(\d{2})-\d{2}$/.exec(input.value), now = new Date();
    if (v) show(parseInt(v[1], 10), parseInt(v[2], 10) - 1); else show(now.getFullYear(), now.getMonth());
    var r = input.getBoundingClientRect();
    cal.style.left = (r.left + window.scrollX) + "px";
    cal.style.top = (r.bottom + window.scrollY + 2) + "px";
    cal.hidden = false;
  }
  $all("input.cal").forEach(function (input) {
    input.addEventListener("click", function () { openCalendar(input); });
    input.addEventListener("keydown", function (e) { if (e.key !== "Tab") e.preventDefault(); });
    input.addEventListener("paste", function (e) { e.preventDefault(); });
  });
  $all(".cal-ico").forEach(function (ico) {
    ico.addEventListener("click", function () { openCalendar(document.getElementById(ico.getAttribute("data-for"))); });
  });

  /* ---- case card: person cards (人卡) added in a dialog whose form lives in an iframe ---- */
  var addBtn = document.getElementById("btnAddRk");
  if (addBtn) {
    var layer = document.getElementById("rkLayer"), shade = document.getElementById("rkShade");
    var frame = document.getElementById("rkFrame");
    var closeLayer = function () { layer.hidden = true; shade.hidden = true; frame.src = "about:blank"; };
    var openLayer = function () {
      frame.src = addBtn.getAttribute("data-src") + "?_=" + Date.now();
      layer.hidden = false; shade.hidden = false;
    };
    addBtn.addEventListener("click", function () { JC.rkEditing = null; openLayer(); });
    document.getElementById("rkClose").addEventListener("click", closeLayer);
    var renumber = function () {
      var rows = $all("#rkTable tbody tr.rk-row");
      rows.forEach(function (tr, i) { $(".rk-no", tr).textContent = String(i + 1); });
      document.getElementById("rkEmpty").hidden = rows.length > 0;
    };
    $("#rkTable tbody").addEventListener("click", function (e) {
      if (e.target.classList.contains("rk-del")) { e.target.closest("tr").remove(); renumber(); }
      if (e.target.classList.contains("rk-edit")) {
        /* 修改: the same dialog, filled with the row's person card; 确定 replaces the row in place */
        JC.rkEditing = e.target.closest("tr");
        openLayer();
      }
    });
    JC.rkCancel = function () { JC.rkEditing = null; closeLayer(); };
    JC.rkEditingCard = function () {
      return JC.rkEditing ? JSON.parse($('input[name="xyr"]', JC.rkEditing).value) : null;
    };
    JC.rkAccept = function (p, labels) {
      var tr = document.createElement("tr");
      tr.className = "rk-row";
      var cells = ["", p.xm, labels.xb, labels.zjlx, p.zjhm, labels.qzcs];
      cells.forEach(function (text, i) {
        var td = document.createElement("td");
        td.textContent = text;
        if (i === 0) td.className = "rk-no";
        if (i === 1) td.className = "rk-xm";
        tr.appendChild(td);
      });
      var ops = document.createElement("td");
      ops.innerHTML = '<a class="rk-edit">修改</a> <a class="rk-del">删除</a><input type="hidden" name="xyr">';
      $("input", ops).value = JSON.stringify(p);
      tr.appendChild(ops);
      if (JC.rkEditing && JC.rkEditing.parentNode) {
        JC.rkEditing.parentNode.replaceChild(tr, JC.rkEditing);
      } else {
        $("#rkTable tbody").appendChild(tr);
      }
      JC.rkEditing = null;
      renumber();
      closeLayer();
    };
  }

  /* ---- the person form inside the dialog's iframe ---- */
  var rkForm = document.getElementById("rkForm");
  if (rkForm) {
    var text = function (sel) { var o = sel.options[sel.selectedIndex]; return sel.value ? o.text : ""; };
    document.getElementById("btnRkOk").addEventListener("click", function () {
      var p = {};
      ["xm", "bm", "xb", "csrq", "zjlx", "zjhm", "gj", "mz", "xl", "zy", "hjdqh", "hjdxz", "xzz",
        "qzcs", "qzcsrq", "jycs"].forEach(function (k) { p[k] = rkForm.elements[k].value.trim(); });
      var r = $('input[name="sfwcn"]:checked', rkForm);
      p.sfwcn = r ? r.value : "";
      var ay = rkForm.elements.ay.value;
      p.ay = ay ? ay.split(",") : [];
      var labels = { xb: text(rkForm.elements.xb), zjlx: text(rkForm.elements.zjlx), qzcs: text(rkForm.elements.qzcs) };
      window.parent.JC.rkAccept(p, labels);
    });
    document.getElementById("btnRkCancel").addEventListener("click", function () { window.parent.JC.rkCancel(); });
    /* 修改 of a person card: the form opens filled with it */
    var editing = window.parent.JC && window.parent.JC.rkEditingCard ? window.parent.JC.rkEditingCard() : null;
    if (editing) {
      ["xm", "bm", "xb", "csrq", "zjlx", "zjhm", "gj", "mz", "xl", "zy", "hjdqh", "hjdxz", "xzz",
        "qzcs", "qzcsrq", "jycs"].forEach(function (k) { rkForm.elements[k].value = editing[k] || ""; });
      $all('input[name="sfwcn"]', rkForm).forEach(function (r) { r.checked = r.value === editing.sfwcn; });
      var dlg = document.getElementById("dlg-ay"), codes = editing.ay || [];
      rkForm.elements.ay.value = codes.join(",");
      document.getElementById("ay_mc").value = codes.map(function (c) { return nameOf(dlg, c); }).join("、");
    }
  }
})();
