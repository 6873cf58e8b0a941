/* The ledger pages' small scripts (no framework; HTMX does the requests).
   1. Kanban drag and drop: dropping a card on another column chooses that stage in the card's own
      move form and submits it, so a drop and the "移动" button are one request (project_move).
   2. Beside every amount input in 万元, the same amount in 亿元, as the pages summarise. */
(function () {
  "use strict";
  var dragged = null;

  document.addEventListener("dragstart", function (e) {
    var card = e.target.closest && e.target.closest("[data-project][draggable]");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.dataset.project);
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    document.querySelectorAll(".column.drop").forEach(function (c) { c.classList.remove("drop"); });
  });

  function columnOf(e) {
    return e.target.closest && e.target.closest(".column[data-stage]");
  }

  document.addEventListener("dragover", function (e) {
    var column = columnOf(e);
    if (!dragged || !column || column.contains(dragged)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    column.classList.add("drop");
  });

  document.addEventListener("dragleave", function (e) {
    var column = columnOf(e);
    if (column && !column.contains(e.relatedTarget)) column.classList.remove("drop");
  });

  document.addEventListener("drop", function (e) {
    var column = columnOf(e);
    if (!dragged || !column || column.contains(dragged)) return;
    e.preventDefault();
    column.classList.remove("drop");
    var form = dragged.querySelector("form.move");
    var select = form && form.querySelector("select[name=to_stage]");
    if (!select) return;
    select.value = column.dataset.stage;
    if (select.value !== column.dataset.stage) return;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });

  function showYi(span) {
    var input = document.getElementById(span.dataset.yiFor);
    if (!input) return;
    var value = parseFloat(String(input.value).replace(/[,,\s]/g, ""));
    span.textContent = isFinite(value) && input.value !== "" ? "= " + (value / 10000).toFixed(2) + " 亿元" : "";
  }

  function refreshAll(root) {
    (root || document).querySelectorAll(".yi[data-yi-for]").forEach(showYi);
  }

  document.addEventListener("input", function (e) {
    if (!e.target.id) return;
    document.querySelectorAll('.yi[data-yi-for="' + e.target.id + '"]').forEach(showYi);
  });
  document.addEventListener("DOMContentLoaded", function () { refreshAll(); });
  document.addEventListener("htmx:afterSwap", function (e) { refreshAll(e.target); });
})();
