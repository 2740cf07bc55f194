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

  // "My meetings": the tabs poll their counts; when the other side has sent, answered or
  // cancelled something, the list follows at once (unless the person is typing in it).
  // The person's own answers update their row in place and raise "meetings-changed":
  // the next stamp is theirs, so it is adopted without reloading the list under them.
  document.addEventListener("meetings-changed", function () {
    const list = document.getElementById("my-meetings");
    if (list) list.dataset.ownChange = "1";
  });
  document.addEventListener("htmx:load", function (event) {
    const tabs = event.detail.elt;
    if (!tabs || tabs.id !== "meeting-tabs") return;
    const list = document.getElementById("my-meetings");
    if (!list || !list.dataset.url || list.dataset.stamp === tabs.dataset.stamp) return;
    if (list.dataset.ownChange) {
      delete list.dataset.ownChange;
      list.dataset.stamp = tabs.dataset.stamp;
      return;
    }
    const active = document.activeElement;
    if (active && list.contains(active) && active.matches("input, textarea, select")) return;
    htmx.ajax("GET", list.dataset.url, { target: "#my-meetings", swap: "outerHTML" });
  });

  // Print buttons.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
