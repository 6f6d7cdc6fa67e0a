// The playground's "load a file": reads the chosen file into the text box in the browser.
// Served from /assets (the CSP allows no inline script); without it, pasting still works.
for (const input of document.querySelectorAll('input[type="file"][data-fills]')) {
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    const target = document.getElementById(input.dataset.fills);
    if (!file || !target) return;
    if (file.size > 512 * 1024) {
      target.value = '';
      input.setCustomValidity('Files up to 512 KiB only.');
      input.reportValidity();
      return;
    }
    input.setCustomValidity('');
    file.text().then((text) => {
      target.value = text;
    });
  });
}
