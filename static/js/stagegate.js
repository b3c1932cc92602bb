// Progressive enhancement only: every page works without this file.
document.addEventListener("htmx:responseError", function (event) {
  var target = event.detail.target;
  if (target && event.detail.xhr && event.detail.xhr.responseText) {
    target.innerHTML = event.detail.xhr.responseText;
  }
});
