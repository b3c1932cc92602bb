// Progressive enhancement only: every page works without this file.
document.addEventListener("htmx:responseError", function (event) {
  var target = event.detail.target;
  if (target && event.detail.xhr && event.detail.xhr.responseText) {
    target.innerHTML = event.detail.xhr.responseText;
  }
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
