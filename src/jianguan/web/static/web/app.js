// Language switch: submit on change (no inline script, so the CSP can forbid them).
document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
