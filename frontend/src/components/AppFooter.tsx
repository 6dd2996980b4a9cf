export function AppFooter({ version, configDir }: { version: string; configDir: string }) {
  return (
    <footer className="footer">
      <span>Kirodesk {version || 'dev'}</span>
      <span className="footer-path">
        Config folder: <code>{configDir || 'unknown'}</code>
      </span>
    </footer>
  );
}
