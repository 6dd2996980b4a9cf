import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { getLanguage, onLanguage } from './bridge';
import { followLanguage } from './i18n'; // the catalogs, English until Go says otherwise
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html'); // i18n-ignore: for developers

// The language Go says is in effect (the setting, else the system's), then
// every change of it, from Settings or from the tray.
followLanguage(getLanguage, onLanguage);

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
