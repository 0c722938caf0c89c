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
