// 先锋: small progressive enhancements only; every page works without this file.
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    ev.preventDefault();
    return;
  }
  var button = form.querySelector("button[type=submit]");
  if (button) {
    // Avoid double submission on slow connections.
    setTimeout(function () { button.disabled = true; }, 0);
  }
});

// Plan review: the text selected in the document is what "add" submits.
document.addEventListener("selectionchange", function () {
  var field = document.getElementById("selected-text");
  var doc = document.getElementById("doc-text");
  var sel = window.getSelection();
  if (!field || !doc || !sel || sel.rangeCount === 0) return;
  if (doc.contains(sel.anchorNode)) field.value = sel.toString().replace(/\s+/g, "");
});

// Print buttons (政治生日, bulletins).
document.addEventListener("click", function (ev) {
  if (ev.target && ev.target.hasAttribute && ev.target.hasAttribute("data-print")) window.print();
});

// A refused form comes back with what was typed: the server lists the fields, the chosen files'
// names and each field's message; this puts them back into the form that holds those fields.
(function () {
  var data = document.getElementById("kept-input");
  if (!data) return;
  var kept;
  try { kept = JSON.parse(data.textContent); } catch (e) { return; }
  // Only the form that was posted, when the page says which (rows may repeat field names).
  var forms = Array.prototype.slice.call(document.querySelectorAll("form")).filter(function (f) {
    return !kept.action || (f.getAttribute("action") || window.location.pathname) === kept.action;
  });
  var named = function (name) {
    var out = [];
    forms.forEach(function (f) {
      Array.prototype.forEach.call(f.querySelectorAll("[name]"), function (el) {
        if (el.getAttribute("name") === name) out.push(el);
      });
    });
    return out;
  };
  var seen = {};
  (kept.fields || []).forEach(function (pair) {
    var name = pair[0], value = pair[1];
    var els = named(name);
    els.forEach(function (el) {
      if (el.type === "hidden" || el.type === "file" || el.type === "submit" || el.type === "button" || el.tagName === "BUTTON") return;
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.value === value) el.checked = true;
        else if (!seen[name]) el.checked = false;
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { if (o.value === value) o.selected = true; });
      } else if (!seen[name]) {
        el.value = value;
      }
    });
    seen[name] = true;
  });
  var note = function (el, text, cls) {
    var span = document.createElement("span");
    span.className = cls;
    span.textContent = text;
    el.insertAdjacentElement("afterend", span);
  };
  (kept.files || []).forEach(function (pair) {
    named(pair[0]).forEach(function (el) {
      if (el.type === "file") note(el, "已选择“" + pair[1] + "”，请重新选择该文件", "hint kept-file");
    });
  });
  (kept.errors || []).forEach(function (pair) {
    var els = named(pair[0]);
    if (els.length && !(els[0].parentNode.querySelector(".error"))) note(els[els.length - 1], pair[1], "error");
  });
})();
