// Rapport forms: progressive enhancement only. Every form works without this
// file; it adds a filter to long checkbox lists, suggests the browser's time
// zone, lets people drag across the availability grid, moves focus to the
// error summary, and hides programme fields that do not apply to the kind.
(function () {
  "use strict";

  // The error summary takes focus, so screen readers read it first.
  var summary = document.querySelector(".error-summary");
  if (summary) summary.focus();

  // Searchable multi-select: a filter box above each checkbox list.
  document.querySelectorAll("fieldset.multi-select").forEach(function (set) {
    var choices = set.querySelectorAll("label.choice");
    if (choices.length < 6) return;
    var legend = set.querySelector("legend").textContent;
    var box = document.createElement("input");
    box.type = "search";
    box.className = "filter";
    box.setAttribute("aria-label", "Filter: " + legend);
    box.placeholder = "Type to filter";
    var count = document.createElement("span");
    count.className = "hint";
    count.setAttribute("aria-live", "polite");
    var update = function () {
      var q = box.value.trim().toLowerCase();
      var shown = 0, chosen = 0;
      choices.forEach(function (c) {
        var on = c.querySelector("input").checked;
        var hit = on || q === "" || c.textContent.toLowerCase().indexOf(q) >= 0;
        c.hidden = !hit;
        if (hit) shown++;
        if (on) chosen++;
      });
      count.textContent = chosen + " chosen, " + shown + " of " + choices.length + " shown";
    };
    box.addEventListener("input", update);
    set.addEventListener("change", update);
    // Enter in the filter must not submit the form.
    box.addEventListener("keydown", function (e) { if (e.key === "Enter") e.preventDefault(); });
    set.querySelector(".choices").before(box, count);
    update();
  });

  // Time zone: offer the browser's zone when it differs from the field.
  document.querySelectorAll("input[data-zone]").forEach(function (input) {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone || zone === input.value) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary suggest-zone";
    button.textContent = "Use this device's zone: " + zone;
    button.addEventListener("click", function () {
      input.value = zone;
      button.remove();
      input.focus();
    });
    input.after(button);
  });

  // Availability grid: press on a cell and drag to set a run of hours;
  // arrow keys move between cells (space still ticks, as in any checkbox).
  document.querySelectorAll("table.week-grid").forEach(function (grid) {
    var painting = null;
    grid.addEventListener("pointerdown", function (e) {
      var box = e.target.closest("td") && e.target.closest("td").querySelector("input");
      if (!box) return;
      e.preventDefault();
      painting = !box.checked;
      box.checked = painting;
    });
    grid.addEventListener("pointerover", function (e) {
      if (painting === null) return;
      var box = e.target.closest("td") && e.target.closest("td").querySelector("input");
      if (box) box.checked = painting;
    });
    document.addEventListener("pointerup", function () { painting = null; });
    // The pointer already toggled the box; stop the click toggling it back.
    grid.addEventListener("click", function (e) {
      if (e.target.matches("input[type=checkbox]") && e.detail > 0) e.preventDefault();
    });
    grid.addEventListener("keydown", function (e) {
      var moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      var m = moves[e.key];
      var td = e.target.closest("td");
      if (!m || !td) return;
      var row = td.parentElement.rowIndex - 1 + m[0];
      var col = td.cellIndex + m[1];
      var rows = grid.tBodies[0].rows;
      if (row < 0 || row >= rows.length || col < 1 || col >= rows[row].cells.length) return;
      e.preventDefault();
      rows[row].cells[col].querySelector("input").focus();
    });
  });

  // Matching weights: a slider beside each number box, kept in step.
  document.querySelectorAll("input[data-range]").forEach(function (n) {
    var r = document.createElement("input");
    r.type = "range";
    r.min = n.min; r.max = n.max; r.step = n.step || "1";
    r.value = n.value;
    r.setAttribute("aria-label", n.labels[0].textContent + " (slider)");
    r.addEventListener("input", function () { n.value = r.value; });
    n.addEventListener("input", function () { r.value = n.value; });
    n.before(r);
  });

  // Programme form: show only the fields that apply to the chosen kind.
  var kind = document.querySelector("select#f-kind");
  if (kind) {
    var apply = function () {
      document.querySelectorAll("[data-only-for]").forEach(function (f) {
        f.hidden = f.getAttribute("data-only-for").split(" ").indexOf(kind.value) < 0;
      });
    };
    kind.addEventListener("change", apply);
    apply();
  }
})();
