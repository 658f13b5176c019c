// Autocomplete for the ask and search boxes: unit and concept labels from /api/suggest, offered
// through the <datalist> each box names in data-suggest. Values are set as text, never as HTML.
(function () {
  "use strict";
  function attach(input) {
    var list = document.getElementById(input.dataset.suggest);
    if (!list) return;
    var timer = null, last = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var words = input.value.trim();
        if (!words || words === last) return;
        last = words;
        fetch("/api/suggest?limit=8&q=" + encodeURIComponent(words), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
          .then(function (data) {
            list.replaceChildren();
            (data.suggestions || []).forEach(function (s) {
              var option = document.createElement("option");
              option.value = s.label;
              option.label = s.synonym ? s.label + " → " + s.preferred : s.label;
              list.appendChild(option);
            });
          })
          .catch(function () { /* no suggestions is fine */ });
      }, 150);
    });
  }
  document.querySelectorAll("input[data-suggest]").forEach(attach);
})();
