// The desk's keyboard: from the lookup, the arrow keys walk the matching customers and Enter
// pops the one chosen (each is a link); Escape goes back to typing.
(function () {
  "use strict";

  function candidates() {
    return Array.prototype.slice.call(document.querySelectorAll("#desk-candidates a.candidate"));
  }

  function move(from, step) {
    var list = candidates();
    if (!list.length) return false;
    var at = list.indexOf(from);
    var next = at === -1 ? (step > 0 ? 0 : list.length - 1) : at + step;
    if (next < 0 || next >= list.length) {
      document.getElementById("desk-lookup").focus();
      return true;
    }
    list[next].focus();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var inLookup = target && target.id === "desk-lookup";
    var onCandidate = target && target.classList && target.classList.contains("candidate");
    if (!inLookup && !onCandidate) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (move(inLookup ? null : target, event.key === "ArrowDown" ? 1 : -1)) {
        event.preventDefault();
      }
    } else if (event.key === "Enter" && inLookup && window.htmx) {
      // Look up at once. (Not an hx-trigger filter such as keyup[key=='Enter']: htmx runs
      // those through eval, which the Content-Security-Policy refuses.)
      window.htmx.trigger(target, "lookup-now");
    } else if (event.key === "Escape" && onCandidate) {
      event.preventDefault();
      document.getElementById("desk-lookup").focus();
    }
  });
})();
