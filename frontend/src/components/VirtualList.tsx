import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';

// A list that puts only the rows in view (and a few around them) in the
// DOM, so 10,000 requests scroll as fast as 10. Rows have one fixed height,
// which is what makes this a few lines instead of a dependency.

const OVERSCAN = 8;
const FALLBACK_HEIGHT = 480; // before layout (and in tests, which have none)

export function VirtualList<T>({
  items,
  rowHeight,
  renderRow,
  follow,
  onFollowChange,
  label,
  className,
}: {
  items: T[];
  rowHeight: number;
  renderRow: (item: T, index: number) => ReactNode;
  /** Keep the newest (last) row in view as rows arrive. */
  follow: boolean;
  /** Scrolling away from the end stops following; back to it resumes. */
  onFollowChange: (follow: boolean) => void;
  label: string;
  className?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(FALLBACK_HEIGHT);
  const total = items.length * rowHeight;

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setHeight(el.clientHeight || FALLBACK_HEIGHT);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = ref.current;
    if (follow && el) el.scrollTop = total;
  }, [follow, total]);

  // Following, the window is the end, whatever the last scroll event said.
  const top = follow ? Math.max(0, total - height) : scrollTop;
  const first = Math.max(0, Math.floor(top / rowHeight) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((top + height) / rowHeight) + OVERSCAN);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <div
        key={i}
        role="listitem"
        className="vrow"
        style={{ position: 'absolute', top: i * rowHeight, height: rowHeight, left: 0, right: 0 }}
      >
        {renderRow(items[i]!, i)}
      </div>,
    );
  }

  return (
    <div
      ref={ref}
      className={className ? `vlist ${className}` : 'vlist'}
      tabIndex={0}
      aria-label={label}
      data-testid="virtual-list"
      onScroll={(e) => {
        const el = e.currentTarget;
        setScrollTop(el.scrollTop);
        const atEnd = el.scrollTop + height >= total - rowHeight;
        if (atEnd !== follow) onFollowChange(atEnd);
      }}
    >
      <div role="list" aria-label={label} style={{ position: 'relative', height: total }}>
        {rows}
      </div>
    </div>
  );
}
