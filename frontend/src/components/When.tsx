import { useTranslation } from 'react-i18next';
import { exactTime, relativeTime } from '../lib/format';

/** A time as "3 min ago" or "in 2 hr", with the exact local time on hover. */
export function When({ iso }: { iso: string }) {
  useTranslation(); // re-render in the new language's words when it changes
  return (
    <time dateTime={iso} title={exactTime(iso)}>
      {relativeTime(iso)}
    </time>
  );
}
