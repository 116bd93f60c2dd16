import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RatingsParseError, RatingsParser } from './ratings-parser.js';
import { loadRatingsFile, parseRatingsText } from './read-ratings-file.js';

const CSV = `userId,movieId,rating,timestamp
1,31,2.5,1260759144
1,1029,3.0,1260759179
7,31,4.5,851866703
`;
const DAT = `1::1193::5::978300760
1::661::3::978302109
2::1193::4::978298413
`;
const U_DATA = `196\t242\t3\t881250949
186\t302\t3\t891717742
196\t302\t1\t878887116
`;

function parseError(text: string, options = {}): RatingsParseError {
  try {
    parseRatingsText(text, options);
  } catch (error) {
    if (error instanceof RatingsParseError) return error;
    throw error;
  }
  throw new Error('expected a RatingsParseError');
}

describe('RatingsParser', () => {
  it('reads ratings.csv with its header into dense indices', () => {
    const loaded = parseRatingsText(CSV);
    expect(loaded.format).toBe('ratings.csv');
    expect(loaded.ratings.userCount).toBe(2);
    expect(loaded.ratings.itemCount).toBe(2);
    expect([...loaded.userIds]).toEqual([1, 7]);
    expect([...loaded.movieIds]).toEqual([31, 1029]);
    expect([...loaded.ratings.user]).toEqual([0, 0, 1]);
    expect([...loaded.ratings.item]).toEqual([0, 1, 0]);
    expect([...loaded.ratings.value]).toEqual([2.5, 3, 4.5]);
    expect([...loaded.ratings.timestamp]).toEqual([1260759144, 1260759179, 851866703]);
    expect(loaded.lines).toBe(4);
  });

  it('reads ml-1m ratings.dat and ml-100k u.data, detected by content', () => {
    const dat = parseRatingsText(DAT);
    expect(dat.format).toBe('ratings.dat');
    expect([...dat.userIds]).toEqual([1, 2]);
    expect([...dat.movieIds]).toEqual([1193, 661]);
    expect([...dat.ratings.value]).toEqual([5, 3, 4]);
    const uData = parseRatingsText(U_DATA);
    expect(uData.format).toBe('u.data');
    expect([...uData.userIds]).toEqual([196, 186]);
    expect([...uData.ratings.user]).toEqual([0, 1, 0]);
    expect([...uData.ratings.item]).toEqual([0, 1, 1]);
    expect([...uData.ratings.timestamp]).toEqual([881250949, 891717742, 878887116]);
  });

  it('gives the same result whatever the chunk boundaries, with CRLF line ends', () => {
    const text = CSV.replaceAll('\n', '\r\n');
    const whole = parseRatingsText(text);
    const parser = new RatingsParser();
    const bytes = new TextEncoder().encode(text);
    for (let n = 0; n < bytes.length; n += 3) parser.push(bytes.subarray(n, n + 3));
    const chunked = parser.end();
    expect(chunked.ratings).toEqual(whole.ratings);
    expect([...chunked.ratings.value]).toEqual([2.5, 3, 4.5]);
  });

  it('accepts a last line without a newline and non-canonical but valid fields', () => {
    const loaded = parseRatingsText('userId,movieId,rating,timestamp\n1, 2 ,4.50,7\n3,2,5,8');
    expect([...loaded.ratings.value]).toEqual([4.5, 5]);
    expect([...loaded.ratings.timestamp]).toEqual([7, 8]);
  });

  it('lists each malformed line with its number and what is wrong', () => {
    const error = parseError(
      [
        'userId,movieId,rating,timestamp',
        '1,2,4.0,100',
        '1,3,4.0',
        'x,3,4.0,100',
        '',
        '1,0,4.0,100',
        '1,4,4.2,100',
        '1,5,6,100',
        '1,6,4.0,yesterday',
      ].join('\n'),
    );
    expect(error.count).toBe(6);
    expect(error.errors.map((e) => e.line)).toEqual([3, 4, 6, 7, 8, 9]);
    expect(error.errors[0].message).toMatch(/expected 4 ","-separated fields .* found 3/);
    expect(error.errors[1].message).toMatch(/user id "x"/);
    expect(error.errors[2].message).toMatch(/movie id "0"/);
    expect(error.errors[3].message).toMatch(/rating "4.2" is not one of 0.5/);
    expect(error.errors[4].message).toMatch(/rating "6"/);
    expect(error.errors[5].message).toMatch(/timestamp "yesterday"/);
    expect(error.message).toMatch(/6 malformed lines[\s\S]*line 3:/);
  });

  it('lists only the first lines when there are many, and counts them all', () => {
    const body = Array.from({ length: 30 }, (_, n) => `1::${n + 1}::9::1`).join('\n');
    const error = parseError(body, { maxReported: 5 });
    expect(error.count).toBe(30);
    expect(error.errors.map((e) => e.line)).toEqual([1, 2, 3, 4, 5]);
    expect(error.message).toMatch(/and 25 more/);
  });

  it('skips malformed lines when asked, and reports them', () => {
    const loaded = parseRatingsText('1\t2\t3\t4\n1\t2\n5\t6\t7\t8\n9\t9\t1\t1\n', {
      onMalformed: 'skip',
    });
    expect(loaded.ratings.value.length).toBe(2);
    expect([...loaded.userIds]).toEqual([1, 9]);
    expect(loaded.malformed.count).toBe(2);
    expect(loaded.malformed.first.map((e) => e.line)).toEqual([2, 3]);
  });

  it('rejects a repeated (user, movie) pair naming both lines', () => {
    const text = 'userId,movieId,rating,timestamp\n1,2,4.0,100\n\n1,3,1.0,1\n1,2,2.0,50\n';
    const error = parseError(text);
    expect(error.errors).toEqual([
      { line: 5, message: expect.stringMatching(/user 1 rated movie 2 again \(also on line 2\)/) },
    ]);
    const skipped = parseRatingsText(text, { onMalformed: 'skip' });
    expect([...skipped.ratings.value]).toEqual([4, 1]);
    expect(skipped.malformed.count).toBe(1);
  });

  it('requires the ratings.csv header and names unknown formats', () => {
    expect(parseError('1,2,4.0,100\n').errors[0]).toEqual({
      line: 1,
      message: expect.stringMatching(
        /must start with the header "userId,movieId,rating,timestamp"/,
      ),
    });
    expect(parseError('user,movie,stars,when\n1,2,4,5\n').errors[0].message).toMatch(
      /expected the header/,
    );
    expect(parseError('1 2 4 5\n').errors[0].message).toMatch(/unknown ratings format "1 2 4 5"/);
    expect(parseError('\n\n').errors[0].message).toMatch(/empty/);
  });

  it('loads the bundled ml-latest-small from disk', async () => {
    const path = fileURLToPath(new URL('../../data/ml-latest-small/ratings.csv', import.meta.url));
    const loaded = await loadRatingsFile(path);
    expect(loaded.ratings.value.length).toBe(100836);
    expect(loaded.ratings.userCount).toBe(610);
    expect(loaded.ratings.itemCount).toBe(9724);
    expect(loaded.malformed.count).toBe(0);
    expect(loaded.userIds[0]).toBe(1);
    expect(loaded.movieIds[0]).toBe(1);
  });
});
