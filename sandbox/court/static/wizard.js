/* 收案登记: a three-step wizard (案件信息 → 当事人 → 确认提交) on one page.
 * Defendants live in a JS array; the rows container is rebuilt from it on every add,
 * delete and change of 羁押状态. Submit is a JSON POST with the page's CSRF token. */
(function () {
  "use strict";
  var OPTS = JSON.parse(document.getElementById("form-options").textContent);
  var FIELDS = ["xm", "xb", "csrq", "sfzh", "mz", "whcd", "zy", "zz", "jyzt", "qzcs", "jycs", "jyrq"];
  var $ = function (id) { return document.getElementById(id); };
  var INIT = document.getElementById("form-initial");
  INIT = INIT ? JSON.parse(INIT.textContent) : null;
  var SUBMIT_URL = document.getElementById("case-form").getAttribute("data-submit-url") || "/api/cases";
  var state = { step: 1, bgr: INIT ? INIT.bgr : [blank()], render: 0 };

  function blank() { var o = {}; FIELDS.forEach(function (f) { o[f] = ""; }); return o; }
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function label(pairs, v) { for (var i = 0; i < pairs.length; i++) if (pairs[i][0] === v) return pairs[i][1]; return ""; }

  // -- steps -------------------------------------------------------------------
  function show(step) {
    state.step = step;
    [1, 2, 3].forEach(function (n) { $("step-" + n).hidden = n !== step; });
    document.querySelectorAll(".step-tab").forEach(function (t) {
      var n = +t.dataset.step;
      t.classList.toggle("on", n === step);
      t.classList.toggle("done", n < step);
    });
    window.scrollTo(0, 0);
  }
  function showErrors(box, list) {
    box.hidden = !list.length;
    box.innerHTML = list.length ? "<b>请修正以下问题：</b><ul>" + list.map(function (m) {
      return "<li>" + esc(m) + "</li>"; }).join("") + "</ul>" : "";
    return !list.length;
  }

  // -- 案由 autocomplete ----------------------------------------------------------
  var acInput = $("ay-input"), acValue = $("ay-value"), acList = $("ay-suggest");
  var acTimer = null, acSeq = 0;
  function acState(s, html) { acList.dataset.state = s; acList.innerHTML = html || ""; acList.hidden = !html; }
  acInput.addEventListener("input", function () {
    acValue.value = "";
    clearTimeout(acTimer);
    acSeq++;
    acState("idle", "");
    var q = acInput.value.trim();
    if (!q) return;
    acTimer = setTimeout(function () { acLoad(q); }, 200);
  });
  function acLoad(q) {
    var seq = ++acSeq;
    acState("loading", '<li class="ac-loading">正在检索…</li>');
    fetch("/api/charges?q=" + encodeURIComponent(q), { headers: { "X-Requested-With": "XMLHttpRequest" } })
      .then(function (r) {
        if (seq !== acSeq) return null;
        if (r.status === 401) { acState("error", '<li class="ac-error">会话已过期，请重新登录</li>'); return null; }
        if (!r.ok) { acState("error", '<li class="ac-error">罪名列表加载失败（' + r.status + '）</li>'); return null; }
        return r.json();
      })
      .then(function (data) {
        if (!data || seq !== acSeq) return;
        if (!data.items.length) { acState("done", '<li class="ac-empty">无匹配的罪名</li>'); return; }
        acState("done", data.items.map(function (it, i) {
          return '<li class="ac-item' + (i === 0 ? " active" : "") + '" data-name="' + esc(it.name) + '">' +
            '<span class="ac-name">' + esc(it.name) + '</span><span class="ac-art">' + esc(it.article) + "</span></li>";
        }).join(""));
      })
      .catch(function () { if (seq === acSeq) acState("error", '<li class="ac-error">网络异常，请稍后重试</li>'); });
  }
  function acPick(li) {
    acInput.value = li.dataset.name;
    acValue.value = li.dataset.name;
    acSeq++;
    acState("idle", "");
    acInput.classList.remove("is-invalid");
  }
  acList.addEventListener("mousedown", function (e) {
    var li = e.target.closest(".ac-item");
    e.preventDefault();
    if (li) acPick(li);
  });
  acInput.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { acSeq++; clearTimeout(acTimer); acState("idle", ""); return; }
    var items = acList.querySelectorAll(".ac-item");
    if (!items.length) return;
    var cur = acList.querySelector(".ac-item.active"), idx = Array.prototype.indexOf.call(items, cur);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (cur) cur.classList.remove("active");
      idx = (idx + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      items[idx].classList.add("active");
    } else if (e.key === "Enter" && cur) {
      e.preventDefault();
      acPick(cur);
    }
  });
  acInput.addEventListener("blur", function () { acSeq++; clearTimeout(acTimer); acState("idle", ""); });

  function step1Errors() {
    var errs = [];
    if (!acValue.value) errs.push(acInput.value.trim() ? "案由“" + acInput.value.trim() + "”未从下拉列表中选择" : "案由不能为空");
    if (!$("gsjg").value) errs.push("公诉机关不能为空");
    if (!$("qsswh").value.trim()) errs.push("起诉书文号不能为空");
    var sarq = window.courtMask.iso($("sarq").value);
    if (sarq === "") errs.push("收案日期不能为空");
    else if (sarq === null) errs.push("收案日期格式不正确（YYYY/MM/DD）");
    return errs;
  }

  // -- defendants: repeating rows rebuilt from state ------------------------------
  var rows = $("bgr-rows");
  function options(pairs, v) {
    return '<option value="">--请选择--</option>' + pairs.map(function (p) {
      return '<option value="' + esc(p[0]) + '"' + (p[0] === v ? " selected" : "") + ">" + esc(p[1]) + "</option>";
    }).join("");
  }
  function fieldName(i, f) { return "bgr[" + i + "]." + f; }
  function rowHtml(d, i, uid) {
    var n = function (f) { return fieldName(i, f); };
    var id = function (f) { return "bgr-" + uid + "-" + i + "-" + f; };
    var text = function (f, lab, req, extra) {
      return '<div class="cell"><label for="' + id(f) + '"' + (req ? ' class="req"' : "") + ">" + lab + "</label>" +
        '<input id="' + id(f) + '" name="' + n(f) + '" value="' + esc(d[f]) + '"' + (extra || "") + "></div>";
    };
    var sel = function (f, lab, pairs, req) {
      return '<div class="cell"><label for="' + id(f) + '"' + (req ? ' class="req"' : "") + ">" + lab + "</label>" +
        '<select id="' + id(f) + '" name="' + n(f) + '">' + options(pairs, d[f]) + "</select></div>";
    };
    var radio = function (v) {
      return '<label class="radio"><input type="radio" name="' + n("xb") + '" value="' + v + '"' +
        (d.xb === v ? " checked" : "") + "> " + v + "</label>";
    };
    var custody = d.jyzt === "1" ? '<span class="badge badge-red">在押</span>' :
      d.jyzt === "0" ? '<span class="badge">未羁押</span>' : "";
    return '<div class="bgr-row" data-index="' + i + '" data-render="' + uid + '">' +
      '<div class="bgr-head"><span class="bgr-no">被告人 ' + (i + 1) + "</span>" + custody +
      '<button type="button" class="btn-link bgr-del" data-index="' + i + '">删除</button></div>' +
      '<div class="bgr-grid">' +
      text("xm", "姓名", true) +
      '<div class="cell"><span class="lbl req">性别</span><span class="radio-group">' + radio("男") + radio("女") + "</span></div>" +
      text("csrq", "出生日期", true, ' class="mask-date" placeholder="YYYY/MM/DD" inputmode="numeric"') +
      text("sfzh", "身份证号", false, ' maxlength="18"') +
      sel("mz", "民族", OPTS.mz) + sel("whcd", "文化程度", OPTS.whcd) +
      text("zy", "职业") + text("zz", "住址", false, ' class="wide"') +
      sel("jyzt", "羁押状态", [["1", "在押"], ["0", "未羁押"]], true) +
      sel("qzcs", "强制措施", OPTS.qzcs) + sel("jycs", "羁押场所", OPTS.jycs) +
      text("jyrq", "羁押日期", false, ' class="mask-date" placeholder="YYYY/MM/DD" inputmode="numeric"') +
      "</div></div>";
  }
  function collect() {
    rows.querySelectorAll(".bgr-row").forEach(function (row, i) {
      var d = state.bgr[i];
      if (!d) return;
      FIELDS.forEach(function (f) {
        if (f === "xb") {
          var c = row.querySelector('input[name="' + fieldName(i, "xb") + '"]:checked');
          d.xb = c ? c.value : "";
        } else {
          var el = row.querySelector('[name="' + fieldName(i, f) + '"]');
          if (el) d[f] = el.value;
        }
      });
    });
  }
  function render() {
    state.render++;
    var uid = state.render.toString(36) + Math.random().toString(36).slice(2, 6);
    rows.innerHTML = state.bgr.length ? state.bgr.map(function (d, i) { return rowHtml(d, i, uid); }).join("") :
      '<div class="rows-empty">尚未添加被告人，请点击“添加被告人”</div>';
  }
  $("btn-add-bgr").addEventListener("click", function () {
    collect();
    state.bgr.push(blank());
    render();
  });
  rows.addEventListener("click", function (e) {
    var del = e.target.closest(".bgr-del");
    if (!del) return;
    collect();
    state.bgr.splice(+del.dataset.index, 1);
    render();
  });
  rows.addEventListener("change", function (e) {
    if (/\.jyzt$/.test(e.target.name || "")) { collect(); render(); }
  });

  function step2Errors() {
    collect();
    var errs = [];
    if (!state.bgr.length) errs.push("至少需要录入一名被告人");
    state.bgr.forEach(function (d, i) {
      var who = d.xm.trim() ? "被告人“" + d.xm.trim() + "”" : "第" + (i + 1) + "名被告人";
      if (!d.xm.trim()) errs.push(who + "：姓名不能为空");
      if (!d.xb) errs.push(who + "：性别不能为空");
      var c = window.courtMask.iso(d.csrq);
      if (c === "") errs.push(who + "：出生日期不能为空");
      else if (c === null) errs.push(who + "：出生日期格式不正确");
      if (window.courtMask.iso(d.jyrq) === null) errs.push(who + "：羁押日期格式不正确");
      var id = d.sfzh.trim();
      if (id && !/^[0-9]{17}[0-9Xx]$/.test(id)) errs.push(who + "：身份证号码应为18位");
      if (!d.jyzt) errs.push(who + "：羁押状态不能为空");
    });
    return errs;
  }

  // -- confirm + submit ------------------------------------------------------------
  function payload() {
    return {
      ay: acValue.value, gsjg: $("gsjg").value, qsswh: $("qsswh").value.trim(),
      sarq: window.courtMask.iso($("sarq").value) || "",
      bgr: state.bgr.map(function (d) {
        var o = {};
        FIELDS.forEach(function (f) { o[f] = typeof d[f] === "string" ? d[f].trim() : d[f]; });
        o.sfzh = o.sfzh.toUpperCase();
        o.csrq = window.courtMask.iso(d.csrq) || "";
        o.jyrq = window.courtMask.iso(d.jyrq) || "";
        return o;
      })
    };
  }
  function summary() {
    var p = payload();
    var row = function (k, v) { return "<tr><th>" + k + "</th><td>" + esc(v) + "</td></tr>"; };
    var html = '<table class="info-table"><tbody>' + row("案由", p.ay) + row("公诉机关", label(OPTS.gsjg, p.gsjg)) +
      row("起诉书文号", p.qsswh) + row("收案日期", $("sarq").value) + "</tbody></table>";
    html += '<table class="grid-table"><thead><tr><th>序号</th><th>姓名</th><th>性别</th><th>出生日期</th><th>身份证号</th>' +
      "<th>民族</th><th>文化程度</th><th>羁押状态</th><th>强制措施</th><th>羁押场所</th><th>羁押日期</th></tr></thead><tbody>";
    p.bgr.forEach(function (d, i) {
      html += "<tr><td>" + (i + 1) + "</td><td>" + esc(d.xm) + "</td><td>" + esc(d.xb) + "</td><td>" + esc(d.csrq) +
        "</td><td>" + esc(d.sfzh) + "</td><td>" + esc(label(OPTS.mz, d.mz)) + "</td><td>" + esc(label(OPTS.whcd, d.whcd)) +
        "</td><td>" + (d.jyzt === "1" ? "在押" : "未羁押") + "</td><td>" + esc(label(OPTS.qzcs, d.qzcs)) + "</td><td>" +
        esc(label(OPTS.jycs, d.jycs)) + "</td><td>" + esc(d.jyrq) + "</td></tr>";
    });
    $("confirm-summary").innerHTML = html + "</tbody></table>";
  }

  $("btn-next-1").addEventListener("click", function () {
    if (showErrors($("step1-errors"), step1Errors())) { render(); show(2); }
  });
  $("btn-prev-2").addEventListener("click", function () { collect(); show(1); });
  $("btn-next-2").addEventListener("click", function () {
    if (showErrors($("step2-errors"), step2Errors())) { $("submit-msg").hidden = true; summary(); show(3); }
  });
  $("btn-prev-3").addEventListener("click", function () { render(); show(2); });

  var msg = $("submit-msg"), submit = $("btn-submit");
  function showMsg(kind, list, extra) {
    msg.className = "alert alert-" + kind;
    msg.dataset.kind = kind;
    msg.innerHTML = "<ul>" + list.map(function (m) { return "<li>" + esc(m) + "</li>"; }).join("") + "</ul>" + (extra || "");
    msg.hidden = false;
  }
  submit.addEventListener("click", function () {
    var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
    submit.disabled = true;
    submit.textContent = "正在提交…";
    msg.hidden = true;
    fetch(SUBMIT_URL, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token, "X-Requested-With": "XMLHttpRequest" },
      body: JSON.stringify(payload())
    }).then(function (r) {
      return r.text().then(function (t) {
        var data = null;
        try { data = JSON.parse(t); } catch (e) { data = null; }
        return { status: r.status, data: data };
      });
    }).then(function (res) {
      var data = res.data;
      submit.textContent = "确认提交";
      if (res.status === 401) {
        showMsg("expired", ["会话已过期，请重新登录"], '<a class="relogin" href="/login">重新登录</a>');
        return;
      }
      if (res.status === 200 && data && data.ok) {
        submit.textContent = "已提交";
        document.body.classList.add("case-saved");
        window.courtToast("success", "<b>" + (data.edited ? "案件修改成功" : "收案登记成功") + "</b>，案号：<span class=\"toast-ah\">" + esc(data.ah) +
          '</span> <a class="toast-link" href="' + esc(data.url) + '">查看案件</a>', 10000);
        return;
      }
      submit.disabled = false;
      if (data && data.errors) { showMsg(data.code === "duplicate" ? "duplicate" : "error", data.errors); return; }
      showMsg("unknown", ["服务器错误（" + res.status + "），提交结果未知，请先到“案件查询”核实是否已登记"]);
    }).catch(function () {
      submit.disabled = false;
      submit.textContent = "确认提交";
      showMsg("unknown", ["网络异常，提交结果未知，请先到“案件查询”核实是否已登记"]);
    });
  });

  if (INIT) {
    /* 修改: the wizard opens filled with the registered case */
    acInput.value = INIT.ay; acValue.value = INIT.ay;
    $("gsjg").value = INIT.gsjg; $("qsswh").value = INIT.qsswh; $("sarq").value = INIT.sarq;
  }
  render();
  show(1);
})();
