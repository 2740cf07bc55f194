// The schedule grid: drag a meeting onto a cell, as well as "Move" then "Move here".
// Dragging asks the server for the same page a click on "Move" gives (the cells the
// meeting may go to, each with its "Move here" form), highlights those cells, and a
// drop on one posts that very form: the server checks again (409 with the reason when
// the place was taken meanwhile) and locks the meeting. The keyboard path is untouched.
// No inline script: the CSP forbids it; loaded by templates/schedules/show.html.
(function () {
  "use strict";

  let drag = null; // {source, forms: Promise<Map<cell key, form>>}

  function allowedCells(pickUrl) {
    return fetch(pickUrl, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        const doc = new DOMParser().parseFromString(html, "text/html");
        const forms = new Map();
        doc.querySelectorAll("#schedule-grid td.target form").forEach(function (form) {
          const target = form.querySelector("input[name=target]");
          if (target) forms.set(target.value, form);
        });
        return forms;
      })
      .catch(function () { return new Map(); });
  }

  function grid() {
    return document.getElementById("schedule-grid");
  }

  function clear() {
    const table = grid();
    if (table) {
      table.querySelectorAll("td.drop-target").forEach(function (cell) {
        cell.classList.remove("target", "drop-target", "drop-over");
      });
      table.classList.remove("dragging");
    }
    if (drag) drag.source.classList.remove("drag-source");
    drag = null;
  }

  document.addEventListener("dragstart", function (event) {
    const source = event.target.closest && event.target.closest("[data-pick-url]");
    if (!source || !grid()) return;
    clear();
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", source.dataset.meeting || source.id);
    source.classList.add("drag-source");
    grid().classList.add("dragging");
    const forms = allowedCells(source.dataset.pickUrl);
    drag = { source: source, forms: forms };
    forms.then(function (found) {
      if (!drag || drag.forms !== forms) return;
      found.forEach(function (_form, key) {
        const cell = grid() && grid().querySelector('td[data-cell="' + CSS.escape(key) + '"]');
        if (cell) cell.classList.add("target", "drop-target");
      });
    });
  });

  // Every free cell accepts the drop; whether the meeting may go there is known once the
  // allowed cells have come (a quick drag can end before they do).
  document.addEventListener("dragover", function (event) {
    if (!drag) return;
    const cell = event.target.closest && event.target.closest("#schedule-grid td[data-cell]");
    if (!cell) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
  });
  document.addEventListener("dragenter", function (event) {
    if (!drag) return;
    const cell = event.target.closest && event.target.closest("#schedule-grid td.drop-target");
    if (cell) cell.classList.add("drop-over");
  });
  document.addEventListener("dragleave", function (event) {
    const cell = event.target.closest && event.target.closest("#schedule-grid td.drop-over");
    if (cell && !cell.contains(event.relatedTarget)) cell.classList.remove("drop-over");
  });

  document.addEventListener("drop", function (event) {
    if (!drag) return;
    const cell = event.target.closest && event.target.closest("#schedule-grid td[data-cell]");
    if (!cell) return;
    event.preventDefault();
    const key = cell.dataset.cell;
    const current = drag;
    current.forms.then(function (found) {
      const form = found.get(key);
      if (!form) {
        const toast = document.getElementById("toast");
        if (toast) {
          toast.textContent = "The meeting cannot go there: both sides and a table must be free.";
          toast.hidden = false;
          setTimeout(function () { toast.hidden = true; }, 6000);
        }
        return;
      }
      const values = {};
      new FormData(form).forEach(function (value, name) { values[name] = value; });
      htmx.ajax("POST", form.getAttribute("action"), {
        source: cell,
        target: "#schedule-board",
        swap: "outerHTML",
        values: values,
      });
    });
  });

  // After a drop too: the drop keeps its own reference to the allowed cells.
  document.addEventListener("dragend", clear);
})();
