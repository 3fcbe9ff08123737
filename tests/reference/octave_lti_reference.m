## Reference values for the `lti` tests from an established toolbox: GNU Octave's control package
## (Debian octave-control). Run from the repository root:
##   octave-cli --no-gui tests/reference/octave_lti_reference.m
## It writes tests/data/octave_lti_reference.json (matrices as {rows, cols, data} with data in
## column-major order). The systems are random (fixed seeds) or built
## with a known structure, then hidden behind a random well-conditioned similarity transform.
pkg load control
randn ("state", 20261123);
rand ("state", 20261123);

function T = similarity (n)
  ## cond(T) <= 4: a change of coordinates that must not change any rank.
  [Q1, ~] = qr (randn (n));
  [Q2, ~] = qr (randn (n));
  T = Q1 * diag (logspace (-0.3, 0.3, n)) * Q2;
endfunction

function A = stable_random (n)
  A = randn (n);
  A = A - (max (real (eig (A))) + 0.5 + rand ()) * eye (n);
endfunction

function A = convergent_random (n, rho)
  A = randn (n);
  A = rho * A / max (abs (eig (A)));
endfunction

function [A, B, C] = kalman (nco, ncno, nnco, nncno, m, p)
  ## Kalman decomposition with blocks of the given orders: controllable and observable,
  ## controllable not observable, not controllable but observable, neither.
  n = nco + ncno + nnco + nncno;
  ic = 1:(nco + ncno);            # controllable states
  io = [1:nco, (nco + ncno + 1):(nco + ncno + nnco)];  # observable states
  A = stable_random (n);
  ## Zero the couplings that would make the uncontrollable part reachable or the unobservable
  ## part visible.
  nc = nco + ncno;
  A(nc+1:end, 1:nc) = 0;
  A(io, setdiff (1:n, io)) = 0;
  A = A - (max (real (eig (A))) + 0.5) * eye (n);
  B = zeros (n, m);  B(ic, :) = randn (numel (ic), m);
  C = zeros (p, n);  C(:, io) = randn (p, numel (io));
endfunction

function s = mat (M)
  ## Unambiguous in JSON: jsonencode writes row and column vectors alike as flat lists.
  s = struct ("rows", rows (M), "cols", columns (M), "data", reshape (M, 1, []));
endfunction

function e = entry (name, A, B, C, dt)
  n = rows (A);
  D = zeros (rows (C), columns (B));
  if (dt > 0)
    sys = ss (A, B, C, D, dt);
  else
    sys = ss (A, B, C, D);
  endif
  ev = eig (A);
  e.name = name;
  e.A = mat (A);  e.B = mat (B);  e.C = mat (C);  e.dt = dt;
  e.eig = mat ([real(ev), imag(ev)]);
  e.stable = isstable (sys);
  [~, ~, ~, ~, kc] = ctrbf (A, B, C);
  [~, ~, ~, ~, ko] = obsvf (A, B, C);
  e.ctrb_rank = sum (kc);
  e.obsv_rank = sum (ko);
  e.ctrb_rank_svd = rank (ctrb (A, B));
  e.minimal_order = rows (minreal (sys).a);
  if (e.stable)
    e.gram_c = mat (gram (sys, "c"));
    e.gram_o = mat (gram (sys, "o"));
    e.hsv = mat (hsvd (sys));
  else
    e.gram_c = [];  e.gram_o = [];  e.hsv = [];  # undefined
  endif
endfunction

cases = {};
## Well-conditioned stable systems, SISO and MIMO, continuous and discrete.
for k = 1:8
  n = 2 + mod (k, 6);  m = 1 + mod (k, 3);  p = 1 + mod (k + 1, 3);
  cases{end+1} = entry (sprintf ("stable_continuous_%d", k), stable_random (n), randn (n, m),
                        randn (p, n), 0);
endfor
for k = 1:6
  n = 2 + mod (k, 5);  m = 1 + mod (k, 2);  p = 1 + mod (k, 3);
  cases{end+1} = entry (sprintf ("stable_discrete_%d", k), convergent_random (n, 0.3 + 0.1 * k),
                        randn (n, m), randn (p, n), 0.1);
endfor
## Unstable: Gramians and HSV must be undefined.
cases{end+1} = entry ("unstable_continuous", stable_random (4) + 3 * eye (4), randn (4, 1),
                      randn (1, 4), 0);
cases{end+1} = entry ("unstable_discrete", convergent_random (3, 1.3), randn (3, 2), randn (2, 3),
                      0.5);
## Kalman-decomposed systems behind a similarity transform: ranks must survive it.
shapes = [2 1 1 1 1 1; 3 0 2 0 2 1; 1 2 0 2 1 2; 2 2 2 2 2 2; 3 1 0 0 1 1; 2 0 0 3 1 1];
for k = 1:rows (shapes)
  s = shapes(k, :);
  [A, B, C] = kalman (s(1), s(2), s(3), s(4), s(5), s(6));
  T = similarity (rows (A));
  cases{end+1} = entry (sprintf ("kalman_%d%d%d%d_m%d_p%d", s), T \ A * T, T \ B, C * T, 0);
endfor
## Ill-conditioned Krylov matrices: stable diagonal systems.
cases{end+1} = entry ("diag_1_to_16", -diag (1:16), ones (16, 1), ones (1, 16), 0);
cases{end+1} = entry ("diag_1_to_10_mimo", -diag (1:10), randn (10, 2), randn (2, 10), 0);
## Repeated eigenvalue, one input: only one direction of the eigenspace is reachable.
cases{end+1} = entry ("repeated_eigenvalue", -eye (4), [1; 2; 3; 4], [1 0 0 0; 0 1 0 0], 0);
## A Jordan block driven from its last state is controllable, from its first is not.
J = [-1 1 0; 0 -1 1; 0 0 -1];
cases{end+1} = entry ("jordan_driven_last", J, [0; 0; 1], [1 0 0], 0);
cases{end+1} = entry ("jordan_driven_first", J, [1; 0; 0], [0 0 1], 0);

out = jsonencode (cases);
fid = fopen ("tests/data/octave_lti_reference.json", "w");
fputs (fid, out);
fclose (fid);
printf ("wrote %d systems\n", numel (cases));
