// Language switch: submit on change (no inline script, so the CSP can forbid them).
document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
// A "choose all" box ticks or clears every box of its name in the same form.
document.querySelectorAll("input[data-check-all]").forEach(function (all) {
  all.addEventListener("change", function () {
    all.form.querySelectorAll('input[name="' + all.dataset.checkAll + '"]').forEach(function (box) { box.checked = all.checked; });
  });
});
