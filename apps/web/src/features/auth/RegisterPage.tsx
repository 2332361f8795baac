import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Button } from '../../components/ui/Button';
import { TextField } from '../../components/ui/Field';
import { useApi } from '../../lib/api';
import { errorMessage } from '../../lib/errors';
import { AuthLayout } from './AuthLayout';
import { useSignedIn } from './useSignedIn';

export function RegisterPage() {
  const api = useApi();
  const { next, done } = useSignedIn();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      done(await api.auth.register({ name, email, password }));
    } catch (caught) {
      setError(caught);
      setPending(false);
    }
  }

  const signInHref = next === '/projects' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}`;
  return (
    <AuthLayout
      title="Create an account"
      footer={
        <>
          Already registered?{' '}
          <Link className="text-indigo-700 underline" to={signInHref}>
            Sign in
          </Link>
        </>
      }
    >
      <form className="flex flex-col gap-3" onSubmit={(event) => void submit(event)}>
        <TextField label="Name" autoComplete="name" required value={name} onChange={(e) => setName(e.target.value)} />
        <TextField label="Email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          hint="At least 8 characters."
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {error ? (
          <p role="alert" className="rounded-md bg-red-50 p-2 text-sm text-red-800">
            {errorMessage(error)}
          </p>
        ) : null}
        <Button type="submit" variant="primary" pending={pending}>
          Create account
        </Button>
      </form>
    </AuthLayout>
  );
}
