// The check-in desk's badge scanner: the camera (or a photo of a code) -> jsQR -> the
// scan form, which htmx posts. No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  let stream = null;
  let busy = false;
  let lastCode = "";
  let lastAt = 0;

  function submitCode(code) {
    const now = Date.now();
    if (code === lastCode && now - lastAt < 4000) return; // the same badge still in view
    lastCode = code;
    lastAt = now;
    const form = document.getElementById("scan-form");
    document.getElementById("scan-code").value = code;
    if (window.htmx) window.htmx.trigger(form, "submit");
    else form.submit();
  }

  // Decode a drawable (video frame, image) through the canvas; the code's text or null.
  function decode(source, width, height) {
    const canvas = document.getElementById("scan-canvas");
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(source, 0, 0, width, height);
    const pixels = context.getImageData(0, 0, width, height);
    const found = window.jsQR(pixels.data, width, height, { inversionAttempts: "dontInvert" });
    return found ? found.data : null;
  }

  function tick() {
    const video = document.getElementById("scan-video");
    if (!stream) return;
    if (video.readyState >= 2 && !busy) {
      busy = true;
      const code = decode(video, video.videoWidth, video.videoHeight);
      busy = false;
      if (code) submitCode(code);
    }
    requestAnimationFrame(tick);
  }

  function stop() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    const video = document.getElementById("scan-video");
    if (video) video.hidden = true;
    const stopButton = document.querySelector("[data-scan-stop]");
    if (stopButton) stopButton.hidden = true;
  }

  function say(message) {
    const result = document.getElementById("scan-result");
    if (result) result.textContent = message;
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-scan-stop]")) { stop(); return; }
    if (!event.target.closest("[data-scan-start]")) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say("This browser cannot use the camera here; take a photo of the code instead.");
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        const video = document.getElementById("scan-video");
        video.srcObject = s;
        video.hidden = false;
        document.querySelector("[data-scan-stop]").hidden = false;
        return video.play().then(function () { requestAnimationFrame(tick); });
      })
      .catch(function () { say("The camera is not available; take a photo of the code instead."); });
  });

  document.addEventListener("change", function (event) {
    const input = event.target.closest("[data-scan-file]");
    if (!input || !input.files.length) return;
    // A data: URL (the CSP allows data: images, not blob:).
    const reader = new FileReader();
    reader.onload = function () {
      const image = new Image();
      image.onload = function () {
        const code = decode(image, image.naturalWidth, image.naturalHeight);
        input.value = "";
        lastCode = "";
        if (code) submitCode(code);
        else say("No code found in that picture; try again closer and sharper.");
      };
      image.src = reader.result;
    };
    reader.readAsDataURL(input.files[0]);
  });

  window.addEventListener("pagehide", stop);
})();
