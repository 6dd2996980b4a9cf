import { useTranslation } from 'react-i18next';

export interface NavItem<Id extends string> {
  id: Id;
  label: string;
}

interface Props<Id extends string> {
  items: readonly NavItem<Id>[];
  current: Id;
  onSelect: (id: Id) => void;
}

/** Window navigation. Lists only views that exist; the current one is not a control. */
export function Nav<Id extends string>({ items, current, onSelect }: Props<Id>) {
  const { t } = useTranslation();
  return (
    <nav className="nav" aria-label={t('app.mainNav')}>
      <ul>
        {items.map((item) => (
          <li key={item.id}>
            {item.id === current ? (
              <span className="nav-item nav-current" aria-current="page">
                {item.label}
              </span>
            ) : (
              <button type="button" className="nav-item" onClick={() => onSelect(item.id)}>
                {item.label}
              </button>
            )}
          </li>
        ))}
      </ul>
    </nav>
  );
}
