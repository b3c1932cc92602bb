// Security keys (WebAuthn): the page holds the server's options as JSON; the browser asks the key, and the
// form posts what the key answered. Forms: data-webauthn-create (add a key) or data-webauthn-get (sign in).
(function () {
  function run(form, kind) {
    var input = form.querySelector("input[name=credential]");
    var status = document.getElementById(form.getAttribute("data-webauthn-status"));
    var options = JSON.parse(document.getElementById(form.getAttribute("data-webauthn-" + kind)).textContent);
    var ask = kind === "create" ? window.webauthnJSON.create : window.webauthnJSON.get;
    if (status) { status.textContent = "Touch your security key, or confirm on this device."; }
    ask(options).then(function (credential) {
      input.value = JSON.stringify(credential);
      form.submit();
    }).catch(function (error) {
      if (status) { status.textContent = "The key did not answer (" + error.name + "). Try again."; }
    });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches) { return; }
    var kind = form.matches("form[data-webauthn-create]") ? "create" : form.matches("form[data-webauthn-get]") ? "get" : "";
    if (!kind || !window.webauthnJSON) { return; }
    var input = form.querySelector("input[name=credential]");
    if (input.value) { return; }
    event.preventDefault();
    run(form, kind);
  });
})();
