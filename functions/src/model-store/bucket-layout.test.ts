import { describe, expect, it } from 'vitest';
import {
  checkVersion,
  modelFilePath,
  parseModelPointer,
  parseMovieList,
  versionDirectory,
} from './bucket-layout.js';

describe('model store layout', () => {
  it('places files under models/{version}/', () => {
    expect(modelFilePath('2026-11-23T10-00-00Z', 'item-factors.f32')).toBe(
      'models/2026-11-23T10-00-00Z/item-factors.f32',
    );
    expect(versionDirectory('v1')).toBe('models/v1/');
  });

  it.each(['', '../x', 'a/b', '.hidden', 'a..b', 'x'.repeat(129)])(
    'refuses version %j',
    (version) => {
      expect(() => checkVersion(version)).toThrow('model version');
    },
  );

  it('refuses a file name that would leave the version directory', () => {
    expect(() => modelFilePath('v1', '../current.json')).toThrow('model file name');
  });

  it('parses the pointer and names what is wrong with a bad one', () => {
    expect(parseModelPointer('{"version":"v1","publishedAt":"2026-11-23T10:00:00Z"}')).toEqual({
      version: 'v1',
      publishedAt: '2026-11-23T10:00:00Z',
    });
    expect(() => parseModelPointer('nope')).toThrow('models/current.json is not JSON');
    expect(() => parseModelPointer('{"publishedAt":"2026-11-23T10:00:00Z"}')).toThrow(
      'version must be a string',
    );
    expect(() => parseModelPointer('{"version":"v1","publishedAt":"yesterday"}')).toThrow(
      'publishedAt must be an RFC 3339 timestamp',
    );
  });

  it('parses the pointer serial and refuses one that is not a non-negative integer', () => {
    expect(
      parseModelPointer('{"version":"v1","publishedAt":"2026-11-23T10:00:00Z","serial":7}'),
    ).toEqual({ version: 'v1', publishedAt: '2026-11-23T10:00:00Z', serial: 7 });
    expect(() =>
      parseModelPointer('{"version":"v1","publishedAt":"2026-11-23T10:00:00Z","serial":-1}'),
    ).toThrow('serial must be a non-negative integer');
  });

  it('parses a movie list with or without its genres, and names what is wrong', () => {
    expect(parseMovieList('{"movieIds":[1,2]}', 'catalogue')).toEqual({ movieIds: [1, 2] });
    expect(parseMovieList('{"movieIds":[1,2],"genres":[["Sci-Fi"],[]]}', 'catalogue')).toEqual({
      movieIds: [1, 2],
      genres: [['Sci-Fi'], []],
    });
    expect(() => parseMovieList('{"movieIds":[0]}', 'catalogue')).toThrow(
      'catalogue must be { "movieIds": [positive integers] }',
    );
    expect(() => parseMovieList('{"movieIds":[1,2],"genres":[["Sci-Fi"]]}', 'catalogue')).toThrow(
      'catalogue: "genres" must be one array of genre names per movie id (2)',
    );
    expect(() => parseMovieList('{"movieIds":[1],"genres":[[7]]}', 'catalogue')).toThrow(
      '"genres" must be one array of genre names per movie id',
    );
  });
});
