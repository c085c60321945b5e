/** Saves a Blob as a file through a temporary link (the browser's own download; Electron shows its save dialog). */
export function saveBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // later, not at once: the click has started the download by then
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
