import { ApiError } from '../api/client.ts';

/** An error said plainly, with the server's location when it points at code. */
export const ErrorNotice = ({ error, title }: { error: unknown; title?: string }) => {
  const message = error instanceof Error ? error.message : String(error);
  const where = error instanceof ApiError && error.body?.file ? `${error.body.file}:${error.body.line ?? '?'}:${error.body.column ?? '?'}` : undefined;
  return (
    <div className="notice error" role="alert">
      {title && <strong>{title}: </strong>}
      {message}
      {where && <code className="where"> ({where})</code>}
    </div>
  );
};
