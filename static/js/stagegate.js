// Progressive enhancement only: every page works without this file.
document.addEventListener("htmx:responseError", function (event) {
  var target = event.detail.target;
  if (target && event.detail.xhr && event.detail.xhr.responseText) {
    target.innerHTML = event.detail.xhr.responseText;
  }
});

// A form that failed shows its error summary at the top; take the reader there.
function focusErrorSummary(root) {
  var summary = (root || document).querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    summary.scrollIntoView({ block: "start" });
  }
}
document.addEventListener("DOMContentLoaded", function () { focusErrorSummary(document); });
document.addEventListener("htmx:afterSettle", function (event) { focusErrorSummary(event.detail.elt); });

// A form marked data-submit-once cannot be sent twice: its buttons are disabled once it is on its way
// (after the browser has read the pressed button's name, so that still travels with it).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches || !form.matches("form[data-submit-once]") || event.defaultPrevented) { return; }
  window.setTimeout(function () {
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (button) {
      button.disabled = true;
    });
    form.setAttribute("aria-busy", "true");
  }, 0);
});

// A configuration's SHA-256, computed here from a chosen file or pasted text; nothing leaves the browser.
function hexDigest(buffer) {
  return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
    return b.toString(16).padStart(2, "0");
  }).join("");
}
function fillDigest(source, bytesPromise) {
  var target = document.getElementById(source.getAttribute("data-sha256-into"));
  var status = document.getElementById(source.getAttribute("data-sha256-status"));
  if (!target || !window.crypto || !window.crypto.subtle) { return; }
  bytesPromise.then(function (bytes) { return window.crypto.subtle.digest("SHA-256", bytes); }).then(function (digest) {
    target.value = hexDigest(digest);
    if (status) { status.textContent = "SHA-256 computed: " + target.value; }
  });
}
document.addEventListener("change", function (event) {
  var source = event.target;
  if (!source.matches || !source.matches("input[type=file][data-sha256-into]")) { return; }
  var file = source.files && source.files[0];
  if (file) { fillDigest(source, file.arrayBuffer()); }
});
document.addEventListener("input", function (event) {
  var source = event.target;
  if (!source.matches || !source.matches("textarea[data-sha256-into]") || !source.value) { return; }
  fillDigest(source, Promise.resolve(new TextEncoder().encode(source.value)));
});
// A button that starts slow work (data-busy="what is happening") disables itself while the portal
// works and says so, so a second press cannot send the same thing twice.
(function () {
  function busyButton(form, submitter) {
    if (submitter && submitter.hasAttribute("data-busy")) return submitter;
    return form.querySelector("button[data-busy]:not([name]), button[type=submit][data-busy]");
  }

  function markBusy(button) {
    if (!button || button.disabled) return;
    button.dataset.stagegateBusy = button.textContent;
    button.textContent = button.getAttribute("data-busy");
    button.setAttribute("aria-busy", "true");
    // Disabled after the browser has read the form, so the button's own name and value still go.
    window.setTimeout(function () { button.disabled = true; }, 0);
  }

  function release(button) {
    if (!button || button.dataset.stagegateBusy === undefined) return;
    button.textContent = button.dataset.stagegateBusy;
    delete button.dataset.stagegateBusy;
    button.removeAttribute("aria-busy");
    button.disabled = false;
  }

  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented && !event.target.hasAttribute("hx-post")) return;
    markBusy(busyButton(event.target, event.submitter));
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var element = event.detail.elt;
    var form = element && element.closest ? element.closest("form") || element : null;
    if (form && form.querySelectorAll) form.querySelectorAll("button[aria-busy=true]").forEach(release);
  });

  // Coming back with the browser's back button shows the page as it was left: usable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("button[aria-busy=true]").forEach(release);
  });
})();
