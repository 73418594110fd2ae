// Language switch: submit on change (no inline script, so the CSP can forbid them).
document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
// A "choose all" box ticks or clears every box of its name tied to the same form: inside it, or in a
// table outside it pointing to it with form= (form.elements holds both). With data-chosen-text, the
// count of chosen boxes is shown after the form's button and follows every tick.
document.querySelectorAll("input[data-check-all]").forEach(function (all) {
  var form = all.form;
  if (!form) { return; }
  var boxes = function () {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.type === "checkbox" && el.name === all.dataset.checkAll;
    });
  };
  var count = null;
  if (all.dataset.chosenText) {
    count = document.createElement("span");
    count.className = "small text-muted text-nowrap ms-2";
    count.id = form.id + "-chosen";
    count.setAttribute("aria-live", "polite");
    var button = form.querySelector("button[type=submit], button:not([type])");
    if (button) { button.insertAdjacentElement("afterend", count); } else { form.appendChild(count); }
  }
  var update = function () {
    var list = boxes();
    var chosen = list.filter(function (box) { return box.checked; }).length;
    all.checked = list.length > 0 && chosen === list.length;
    all.indeterminate = chosen > 0 && chosen < list.length;
    all.disabled = list.length === 0;
    if (count) { count.textContent = all.dataset.chosenText.replace("%(n)s", chosen); }
  };
  all.addEventListener("change", function () {
    var checked = all.checked;
    boxes().forEach(function (box) { box.checked = checked; });
    update();
  });
  document.addEventListener("change", function (event) {
    if (event.target !== all && event.target.form === form && event.target.name === all.dataset.checkAll) { update(); }
  });
  update();
});
