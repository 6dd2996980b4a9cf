import { useTranslation } from 'react-i18next';

export function AppFooter({ version, configDir }: { version: string; configDir: string }) {
  const { t } = useTranslation();
  return (
    <footer className="footer">
      <span>{t('app.footerVersion', { version: version || t('app.footerDev') })}</span>
      <span className="footer-path">
        {t('app.footerConfig')} <code>{configDir || t('common.unknown')}</code>
      </span>
    </footer>
  );
}
