import { describe, expect, it } from 'vitest';
import { frameworkErrorProblem } from './framework-errors.js';

describe('frameworkErrorProblem', () => {
  it('names what body-parser refused, without its stack', () => {
    const parse = Object.assign(
      new SyntaxError('Unexpected token \'h\', "hello" is not valid JSON'),
      {
        type: 'entity.parse.failed',
        status: 400,
        expose: true,
      },
    );
    expect(frameworkErrorProblem(parse)).toEqual({
      status: 400,
      detail: 'body is not JSON: Unexpected token \'h\', "hello" is not valid JSON',
    });
    expect(frameworkErrorProblem({ type: 'entity.too.large', status: 413 })).toEqual({
      status: 413,
      detail: 'body is too large',
    });
    expect(
      frameworkErrorProblem({
        type: 'charset.unsupported',
        status: 415,
        message: 'unsupported charset "LATIN-9"',
      }),
    ).toEqual({ status: 415, detail: 'unsupported charset "LATIN-9": send UTF-8 JSON' });
  });

  it('hides what an unexposed or server error says, and answers 404 when nothing handled it', () => {
    expect(frameworkErrorProblem(new Error('/srv/app/x.js:1 exploded'))).toEqual({
      status: 500,
      detail: 'the request could not be read',
    });
    expect(frameworkErrorProblem(undefined)).toEqual({ status: 404, detail: 'no such resource' });
  });
});
