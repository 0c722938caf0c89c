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
