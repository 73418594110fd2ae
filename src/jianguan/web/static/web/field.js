// Result form: show the names of the photos taken, beside the camera button.
document.querySelectorAll("input[type=file][data-names]").forEach(function (input) {
  input.addEventListener("change", function () {
    var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
    var target = document.getElementById(input.dataset.names);
    if (target && names.length) { target.textContent = names.join("、"); }
  });
});
