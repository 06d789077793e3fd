/* The top-bar search box: a WAI-ARIA combobox over the list htmx fills as the user types.
 *
 * Arrow keys move through the suggestions (aria-activedescendant keeps focus in the box, so
 * typing goes on), Enter opens the chosen one or, with none chosen, submits the form to the
 * full results page, Escape closes the list (and clears the box when it is already closed).
 * "/" anywhere outside a field jumps to the box. Without this file the box is still a plain
 * search form.
 */
(function () {
  "use strict";

  var input = document.getElementById("topsearch-q");
  if (!input || !input.form) {
    return;
  }
  var form = input.form;

  function list() {
    return document.getElementById("topsearch-list");
  }

  function options() {
    var box = list();
    return box ? Array.prototype.slice.call(box.querySelectorAll('[role="option"]')) : [];
  }

  function isOpen() {
    var box = list();
    return Boolean(box) && !box.hidden && options().length > 0;
  }

  function active() {
    var id = input.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id) : null;
  }

  function setActive(option) {
    options().forEach(function (each) {
      each.setAttribute("aria-selected", each === option ? "true" : "false");
    });
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function close() {
    var box = list();
    if (box) {
      box.hidden = true;
    }
    input.setAttribute("aria-expanded", "false");
    setActive(null);
  }

  function open() {
    var box = list();
    if (!box || options().length === 0) {
      close();
      return;
    }
    box.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function move(step) {
    var all = options();
    if (all.length === 0) {
      return;
    }
    open();
    var here = all.indexOf(active());
    var next = here < 0 ? (step > 0 ? 0 : all.length - 1) : (here + step + all.length) % all.length;
    setActive(all[next]);
  }

  function go(option) {
    window.location.assign(option.getAttribute("data-href"));
  }

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      move(1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      move(-1);
    } else if (event.key === "Enter") {
      var chosen = isOpen() ? active() : null;
      if (chosen) {
        event.preventDefault();
        go(chosen);
      }
    } else if (event.key === "Escape") {
      if (isOpen()) {
        event.preventDefault();
        close();
      } else if (input.value) {
        event.preventDefault();
        input.value = "";
      }
    }
  });

  input.addEventListener("focus", function () {
    if (input.value) {
      open();
    }
  });

  // A new list from the server: show it if the user is still in the box, nothing chosen yet.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.target || event.target.id !== "topsearch-list") {
      return;
    }
    setActive(null);
    if (document.activeElement === input) {
      open();
    } else {
      close();
    }
  });

  // Keep the focus in the box while clicking an option, so the list does not close first.
  form.addEventListener("mousedown", function (event) {
    if (event.target.closest('[role="option"]')) {
      event.preventDefault();
    }
  });

  form.addEventListener("click", function (event) {
    var option = event.target.closest('[role="option"]');
    if (option) {
      go(option);
    }
  });

  form.addEventListener("focusout", function (event) {
    if (!form.contains(event.relatedTarget)) {
      close();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var target = event.target;
    var typing = target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
    if (!typing) {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });
})();
