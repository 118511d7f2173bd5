// The signature pad: a person signs on screen with finger, pen or mouse (pointer events).
// On submit the drawing goes to the server as a PNG data URL; nothing is sent if nothing was
// drawn, so the server answers with "请先在签名框内签名". No library, no network.
(function () {
  "use strict";
  function setUp(form) {
    var canvas = form.querySelector("canvas.signature-pad");
    var output = form.querySelector('input[type="hidden"][name$="image_data"]');
    if (!canvas || !output) {
      return;
    }
    var context = canvas.getContext("2d");
    var drawn = false;
    var last = null;

    function clear() {
      context.fillStyle = "#fff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.lineWidth = 3;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.strokeStyle = "#111";
      drawn = false;
      output.value = "";
    }

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * (canvas.width / box.width),
        y: (event.clientY - box.top) * (canvas.height / box.height),
      };
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      last = point(event);
      context.beginPath();
      context.arc(last.x, last.y, context.lineWidth / 2, 0, 2 * Math.PI);
      context.fillStyle = "#111";
      context.fill();
      drawn = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (last === null) {
        return;
      }
      var next = point(event);
      context.beginPath();
      context.moveTo(last.x, last.y);
      context.lineTo(next.x, next.y);
      context.stroke();
      last = next;
    });
    function stop(event) {
      if (last !== null && canvas.hasPointerCapture(event.pointerId)) {
        canvas.releasePointerCapture(event.pointerId);
      }
      last = null;
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);

    var clearButton = form.querySelector("[data-clear]");
    if (clearButton) {
      clearButton.addEventListener("click", clear);
    }
    form.addEventListener("submit", function () {
      output.value = drawn ? canvas.toDataURL("image/png") : "";
    });
    clear();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-signature-pad]").forEach(setUp);
  });
})();
