// A form marked data-busy-form shows that it is working once submitted: its submit button is
// disabled, with a spinner and the button's data-busy-text, so nobody submits twice or waits blind.
document.querySelectorAll("form[data-busy-form]").forEach(function (form) {
  form.addEventListener("submit", function () {
    var button = form.querySelector("button:not([type=button])");
    if (!button) return;
    if (form.dataset.busy === "1") return;
    form.dataset.busy = "1";
    form.setAttribute("aria-busy", "true");
    var spinner = button.querySelector(".spinner-border");
    var label = button.querySelector(".label");
    if (spinner) spinner.classList.remove("d-none");
    if (label && button.dataset.busyText) label.textContent = button.dataset.busyText;
    // Disabled after this event, so that the browser still sends the form.
    setTimeout(function () { button.disabled = true; }, 0);
  });
});
