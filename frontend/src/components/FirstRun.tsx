const TEXT = {
  title: 'Get to a first answer',
  intro: 'Three steps, a minute each:',
  steps: [
    { title: 'Add a Kiro account', hint: 'Sign in the way you sign in to Kiro: Google, GitHub, AWS Builder ID or your company.', button: 'Add an account' },
    { title: 'Set up your agent', hint: 'Point your tool at the address and API key shown below.', button: 'Show the setup' },
    { title: 'Send a test request', hint: 'A short prompt through the local API shows it all works.', button: 'Send test request' },
  ],
  doneStep: 'Done',
};

/**
 * The first-run checklist, shown while there is no account: each step has
 * its own primary button.
 */
export function FirstRun({
  hasAccount,
  onAddAccount,
  onSetup,
  onTest,
}: {
  hasAccount: boolean;
  onAddAccount: () => void;
  onSetup: () => void;
  onTest: () => void;
}) {
  const actions = [onAddAccount, onSetup, onTest];
  return (
    <section className="card card-wide first-run" aria-labelledby="first-run-title">
      <h2 id="first-run-title">{TEXT.title}</h2>
      <p className="muted">{TEXT.intro}</p>
      <ol className="checklist">
        {TEXT.steps.map((s, i) => {
          const done = i === 0 && hasAccount;
          return (
            <li key={s.title} className={done ? 'step-done' : undefined}>
              <div>
                <strong>{s.title}</strong>
                {done && (
                  <span className="badge tone-ok">
                    <span aria-hidden="true">✓</span> {TEXT.doneStep}
                  </span>
                )}
                <p className="muted">{s.hint}</p>
              </div>
              <button
                type="button"
                className="btn btn-primary"
                disabled={i === 2 && !hasAccount}
                onClick={actions[i]}
              >
                {s.button}
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
