import {
  CircleCheck,
  CircleMinus,
  CirclePause,
  CircleQuestionMark,
  CircleX,
  Hourglass,
  LoaderCircle,
  TriangleAlert,
  type LucideIcon,
} from 'lucide-react';

/**
 * The window's status icons, one set (Lucide) for every state shown: the
 * same shape means the same thing everywhere, drawn alike on every system
 * (text glyphs such as ⏸ or ⚠ turn into colour emoji on some). The icon
 * goes with words and a tone's colour, never alone, so it is hidden from
 * screen readers.
 */
export type IconName = 'ok' | 'paused' | 'failed' | 'waiting' | 'warning' | 'unknown' | 'working' | 'skipped';

const ICONS: Record<IconName, LucideIcon> = {
  ok: CircleCheck,
  paused: CirclePause,
  failed: CircleX,
  waiting: Hourglass,
  warning: TriangleAlert,
  unknown: CircleQuestionMark,
  working: LoaderCircle,
  skipped: CircleMinus,
};

export function StatusIcon({ name, size = 14 }: { name: IconName; size?: number }) {
  const Icon = ICONS[name];
  return <Icon aria-hidden="true" focusable="false" className="status-icon" data-icon={name} size={size} />;
}
