// "Delete my data" on the Your ratings page: a button, a confirmation step, then the API call;
// on success the page reloads as a new anonymous visitor with nothing of the old account.
import { deleteAccount } from '../lib/delete-account.js';
import { appCheckToken, idToken, startAfresh } from './live.js';

const start = document.getElementById('delete-data-start') as HTMLButtonElement;
const confirmBox = document.getElementById('delete-data-confirm')!;
const question = document.getElementById('delete-data-question')!;
const confirmButton = document.getElementById('delete-data-confirm-button') as HTMLButtonElement;
const cancel = document.getElementById('delete-data-cancel') as HTMLButtonElement;
const status = document.getElementById('delete-data-status')!;

const DELETED_FLAG = 'deleted';

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

if (new URLSearchParams(window.location.search).has(DELETED_FLAG)) {
  status.textContent = 'Your data was deleted. You are now a new anonymous visitor.';
  history.replaceState(null, '', window.location.pathname);
}

start.addEventListener('click', () => {
  confirmBox.hidden = false;
  start.hidden = true;
  status.textContent = '';
  question.focus();
});

cancel.addEventListener('click', () => {
  confirmBox.hidden = true;
  start.hidden = false;
  start.focus();
});

confirmButton.addEventListener('click', async () => {
  confirmButton.disabled = true;
  cancel.disabled = true;
  status.textContent = 'Deleting your data…';
  const outcome = await deleteAccount({
    fetch,
    idToken,
    appCheckToken,
    storage: storage(),
    startAfresh,
  });
  if (outcome.kind === 'deleted') {
    // A fresh page: no listener, queue or cache of the old account survives.
    window.location.replace(`${window.location.pathname}?${DELETED_FLAG}`);
    return;
  }
  status.textContent = `Nothing was deleted: ${outcome.message}. Try again.`;
  confirmButton.disabled = false;
  cancel.disabled = false;
});
