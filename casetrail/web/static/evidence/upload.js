// The recording upload page: send the chosen file by tus (resumable), show the progress, then
// put the upload's id in the form and enable 提交. A reload keeps the upload URL in
// localStorage: choosing the same file again continues where it stopped.
//
// The file goes in PATCHes of data-chunk-size bytes, each with its SHA-256 in Upload-Checksum
// (tus checksum extension): a chunk corrupted on the way is refused with 460 and sent again.
// crypto.subtle exists only in a secure context (HTTPS, or localhost): elsewhere the chunks go
// without a checksum, which the server accepts.
(function () {
  "use strict";
  var root = document.getElementById("recording-upload");
  var form = document.getElementById("recording-form");
  if (!root || !form || !window.tus) return;
  if (!tus.isSupported) {
    document.getElementById("upload-error").textContent = "此浏览器不支持断点续传上传，请使用新版浏览器。";
    document.getElementById("upload-error").hidden = false;
    return;
  }

  var input = document.getElementById("evidence-file");
  var bar = document.getElementById("upload-progress");
  var percent = document.getElementById("upload-percent");
  var status = document.getElementById("upload-status");
  var problem = document.getElementById("upload-error");
  var hidden = form.querySelector("[name=upload]");
  var submit = document.getElementById("recording-submit");
  var kind = form.querySelector("[name=kind]");
  var caseId = root.getAttribute("data-case-id");
  var token = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var current = null;
  var RETRY_STATUSES = [409, 423, 460];

  function base64(buffer) {
    var bytes = new Uint8Array(buffer);
    var text = "";
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text);
  }

  function bytesOf(body) {
    if (body instanceof Blob) return body.arrayBuffer();
    return Promise.resolve(body);
  }

  // tus-js-client's own HTTP stack, with each PATCH's body hashed before it is sent.
  function ChecksumStack() {
    this.inner = new tus.DefaultHttpStack({});
  }
  ChecksumStack.prototype.getName = function () {
    return "casetrail-sha256";
  };
  ChecksumStack.prototype.createRequest = function (method, url) {
    var request = this.inner.createRequest(method, url);
    var send = request.send.bind(request);
    request.send = function (body) {
      if (method !== "PATCH" || body == null || !window.crypto || !crypto.subtle) return send(body);
      return bytesOf(body)
        .then(function (bytes) {
          return crypto.subtle.digest("SHA-256", bytes);
        })
        .then(function (digest) {
          request.setHeader("Upload-Checksum", "sha256 " + base64(digest));
          return send(body);
        });
    };
    return request;
  };

  // Retry what a new attempt can fix: network trouble, 5xx, a conflict of offsets, a busy
  // upload, and a chunk whose checksum did not match (460).
  function shouldRetry(error) {
    var response = error.originalResponse;
    var code = response ? response.getStatus() : 0;
    return code === 0 || code >= 500 || RETRY_STATUSES.indexOf(code) >= 0;
  }

  function show(sent, total) {
    var value = total ? Math.floor((sent / total) * 100) : 0;
    bar.value = value;
    percent.textContent = value + " %";
  }

  // All bytes sent: the server still checks the type and hashes before it answers.
  function sending(sent, total) {
    show(sent, total);
    if (sent === total && !hidden.value) say("已全部发送，服务器正在校验并储存文件……");
  }

  function say(text) {
    status.textContent = text;
  }

  // A refusal or an interruption stops the bar where the file was refused: it no longer reads
  // as done (a refused file "at 100 %" looked accepted).
  function fail(text) {
    problem.textContent = text;
    problem.hidden = false;
    bar.classList.add("failed");
    bar.removeAttribute("value");
    bar.value = 0;
    percent.textContent = "未接收";
  }

  // The server's own words (Chinese) when it refused; otherwise a network problem.
  function reason(error) {
    var response = error.originalResponse;
    if (response && response.getStatus() >= 400 && response.getStatus() < 500) {
      var said = (response.getBody() || "").replace(/^文件：/, "");
      return "文件未被接收：" + (said || "服务器拒绝（" + response.getStatus() + "）");
    }
    return "上传中断（网络或服务器问题）。请重新选择同一文件，将从中断处继续。";
  }

  function forget(upload) {
    upload.findPreviousUploads().then(function (previous) {
      previous.forEach(function (entry) {
        tus.defaultOptions.urlStorage.removeUpload(entry.urlStorageKey);
      });
    });
  }

  function guessKind(file) {
    var type = (file.type || "").split("/")[0];
    var guess = { image: "photo", audio: "audio", video: "video" }[type];
    if (guess && kind && kind.value !== "surveillance") kind.value = guess;
    syncKind();
  }

  function start(file) {
    if (current) current.abort();
    hidden.value = "";
    submit.disabled = true;
    problem.hidden = true;
    bar.classList.remove("failed");
    show(0, file.size);
    var chunk = Number(root.getAttribute("data-chunk-size")) || Infinity;
    var upload = new tus.Upload(file, {
      endpoint: root.getAttribute("data-endpoint"),
      chunkSize: chunk,
      retryDelays: [0, 1000, 3000, 5000],
      httpStack: new ChecksumStack(),
      onShouldRetry: shouldRetry,
      metadata: { filename: file.name, case_id: caseId },
      headers: { "X-CSRFToken": token },
      removeFingerprintOnSuccess: true,
      onProgress: sending,
      onError: function (error) {
        var text = reason(error);
        if (error.originalResponse && error.originalResponse.getStatus() < 500) forget(upload);
        say("");
        fail(text);
      },
      onSuccess: function () {
        show(1, 1);
        hidden.value = upload.url.split("/").pop();
        submit.disabled = false;
        say("上传完成：" + file.name + "。请填写记录信息后提交。");
      },
    });
    current = upload;
    upload.findPreviousUploads().then(function (previous) {
      var mine = previous.filter(function (entry) {
        return entry.metadata && entry.metadata.case_id === caseId;
      });
      if (mine.length) {
        upload.resumeFromPreviousUpload(mine[0]);
        say("发现未完成的上传，正在从中断处继续……");
      } else {
        say("正在上传……");
      }
      upload.start();
    });
  }

  // 文字记录 is required for sound (shown when 录音 is chosen).
  function syncKind() {
    form.querySelectorAll("[data-show-kind]").forEach(function (el) {
      el.hidden = !kind || el.getAttribute("data-show-kind") !== kind.value;
    });
  }

  // 逾期理由 shows when the recording is older than the storage period allows.
  function syncLate() {
    var box = document.getElementById("late-field");
    var start = form.querySelector("[name=recorded_start_at]").value;
    var end = form.querySelector("[name=recorded_end_at]").value;
    var day = (end || start).slice(0, 10);
    var late = day !== "" && day < box.getAttribute("data-late-before");
    var stated = form.querySelector("[name=late_reason]").value.trim() !== "";
    box.hidden = !late && !stated && !box.querySelector(".error");
  }

  // The recording's start, when not typed yet: the file's own time (Beijing wall-clock time,
  // as the form reads it), for the officer to check.
  function guessStart(file) {
    var field = form.querySelector("[name=recorded_start_at]");
    if (!field || field.value || !file.lastModified) return;
    var beijing = new Date(file.lastModified + 8 * 3600 * 1000);
    field.value = beijing.toISOString().slice(0, 16);
    syncLate();
  }

  // The file comes from the chooser or, on a phone, straight from its camera (capture).
  [input, document.getElementById("evidence-camera")].forEach(function (chooser) {
    if (!chooser) return;
    chooser.addEventListener("change", function () {
      if (chooser.files.length) {
        guessKind(chooser.files[0]);
        guessStart(chooser.files[0]);
        start(chooser.files[0]);
      }
    });
  });
  form.addEventListener("change", function () {
    syncKind();
    syncLate();
  });
  if (hidden.value) {
    submit.disabled = false;
    show(1, 1);
    say("文件已上传。");
  }
  syncKind();
  syncLate();
})();
