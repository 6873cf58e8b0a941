// The industry picker (registry/widgets.py): show the chosen industry's name beside its code. The search
// itself is HTMX (hx-get on the input fills the datalist); this only names what the box now holds.
(function () {
  function nameFor(input) {
    var list = input.list;
    var value = input.value.trim().toUpperCase();
    if (!list || !value) return "";
    for (var i = 0; i < list.options.length; i++) {
      if (list.options[i].value === value) return list.options[i].label || list.options[i].textContent;
    }
    return null; // not among the options shown: leave the name as it was until the list catches up
  }
  function update(event) {
    var input = event.target.closest ? event.target.closest(".industry-picker") : null;
    if (!input) return;
    var box = input.querySelector("input");
    var shown = input.querySelector("[data-industry-name]");
    var name = nameFor(box);
    if (name !== null && shown) shown.textContent = name;
  }
  document.addEventListener("input", update);
  document.addEventListener("change", update);
  document.addEventListener("htmx:afterSwap", update);
})();
