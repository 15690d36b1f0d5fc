// Names for the controls whose components render none, so that a screen reader reads what each one is:
// the progress bars, the file inputs of the uploads, the runs table's tick boxes, the sliders' handles
// (their label sits on a wrapper, data-label). Components are redrawn at any time, so the names are
// given again after each change to the page, at most once a frame.
(function () {
  const NAMES = [
    ['#progress-bar [role=progressbar]', 'Training progress'],
    ['#sweep-bar [role=progressbar]', 'Sweep progress'],
    ['#upload-run input[type=file]', 'Run record file to show again'],
    ['#upload-data input[type=file]', 'CSV file to read'],
    ['#runs-table input[type=checkbox]', 'Tick this run to compare it'],
  ];
  let queued = false;
  function name() {
    queued = false;
    for (const [selector, label] of NAMES) {
      document.querySelectorAll(selector).forEach(function (e) {
        if (!e.hasAttribute('aria-label')) { e.setAttribute('aria-label', label); }
      });
    }
    document.querySelectorAll('[data-label] [role=slider]').forEach(function (e) {
      if (!e.hasAttribute('aria-label')) { e.setAttribute('aria-label', e.closest('[data-label]').dataset.label); }
    });
  }
  new MutationObserver(function () {
    if (!queued) { queued = true; window.requestAnimationFrame(name); }
  }).observe(document.documentElement, {childList: true, subtree: true});
})();
