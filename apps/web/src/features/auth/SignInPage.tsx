import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Button } from '../../components/ui/Button';
import { TextField } from '../../components/ui/Field';
import { useApi } from '../../lib/api';
import { errorMessage } from '../../lib/errors';
import { AuthLayout } from './AuthLayout';
import { useSignedIn } from './useSignedIn';

export function SignInPage() {
  const api = useApi();
  const { next, done } = useSignedIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      done(await api.auth.login({ email, password }));
    } catch (caught) {
      setError(caught);
      setPending(false);
    }
  }

  const registerHref = next === '/projects' ? '/register' : `/register?next=${encodeURIComponent(next)}`;
  return (
    <AuthLayout
      title="Sign in"
      footer={
        <>
          No account yet?{' '}
          <Link className="text-indigo-700 underline" to={registerHref}>
            Create one
          </Link>
        </>
      }
    >
      <form className="flex flex-col gap-3" onSubmit={(event) => void submit(event)}>
        <TextField label="Email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <TextField label="Password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        {error ? (
          <p role="alert" className="rounded-md bg-red-50 p-2 text-sm text-red-800">
            {errorMessage(error)}
          </p>
        ) : null}
        <Button type="submit" variant="primary" pending={pending}>
          Sign in
        </Button>
      </form>
    </AuthLayout>
  );
}
