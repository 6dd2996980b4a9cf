import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './i18n'; // before the first render: the catalogs, English until Go says otherwise
import { App } from './App';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
