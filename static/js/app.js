// Matchmaker's small client-side helpers. No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  function showToast(message) {
    const toast = document.getElementById("toast");
    if (!toast) return;
    toast.textContent = message;
    toast.hidden = false;
    clearTimeout(showToast.timer);
    showToast.timer = setTimeout(function () { toast.hidden = true; }, 6000);
  }

  // Errors htmx does not swap (403, 404, 500...): say what happened instead of nothing.
  document.addEventListener("htmx:responseError", function (event) {
    const xhr = event.detail.xhr;
    let message = "Something went wrong (" + xhr.status + ").";
    const doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    const text = doc.querySelector("#error-message p");
    if (text) message = text.textContent;
    showToast(message);
  });
  document.addEventListener("htmx:sendError", function () {
    showToast("The server cannot be reached. Check your connection and try again.");
  });

  // Copy buttons: <button data-copy="#input-id">.
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const input = document.querySelector(button.dataset.copy);
    if (!input) return;
    navigator.clipboard.writeText(input.value).then(function () {
      button.textContent = "Copied";
    });
  });

  // Confirm dangerous actions: <form data-confirm="Really?">.
  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  }, true);

  // Print buttons.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
