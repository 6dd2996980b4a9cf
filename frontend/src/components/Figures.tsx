/** Named figures as a row of stat cells, [name, value] in order (today's on the Dashboard, a run's in Try it). */
export function Figures({ items, className, testId }: { items: Array<[string, string]>; className?: string; testId: string }) {
  return (
    <dl className={className ? `stats ${className}` : 'stats'} data-testid={testId}>
      {items.map(([name, value]) => (
        <div key={name} className="stat">
          <dt>{name}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
