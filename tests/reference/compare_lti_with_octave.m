## Runs `ssmscope-cli lti` on freshly drawn systems and compares every number with GNU Octave's
## control package (Debian octave-control), and the ranks also with the truth by construction.
## Not part of ctest (CI does not install Octave); run it by hand after changing analysis/:
##   octave-cli --no-gui tests/reference/compare_lti_with_octave.m [seed] [count]
pkg load control
args = argv ();
seed = 1;  count = 200;
if (numel (args) >= 1) seed = str2double (args{1}); endif
if (numel (args) >= 2) count = str2double (args{2}); endif
randn ("state", seed);  rand ("state", seed);
cli = "build/app/cli/ssmscope-cli";
dir = tempname ();  mkdir (dir);

function T = similarity (n)
  [Q1, ~] = qr (randn (n));  [Q2, ~] = qr (randn (n));
  T = Q1 * diag (logspace (-0.5, 0.5, n)) * Q2;   # cond(T) = 10
endfunction

function A = stable_random (n)
  A = randn (n);  A = A - (max (real (eig (A))) + 0.2 + rand ()) * eye (n);
endfunction

function writecsv (file, M)
  fid = fopen (file, "w");
  for i = 1:rows (M)
    fprintf (fid, "%s\n", strjoin (arrayfun (@(x) sprintf ("%.17g", x), M(i, :), "UniformOutput", false), ","));
  endfor
  fclose (fid);
endfunction

worst = struct ("eig", 0, "gram", 0, "hsv", 0, "hsv_kalman", 0);
bad = 0;  truth_checked = 0;  octave_wrong = 0;
for k = 1:count
  kind = mod (k, 7);  dt = 0;  truth = [];
  n = 2 + randi (10);  m = randi (3);  p = randi (3);
  switch kind
    case 0   # stable continuous
      A = stable_random (n);  B = randn (n, m);  C = randn (p, n);
    case 1   # stable discrete
      A = randn (n);  A = (0.2 + 0.7 * rand ()) * A / max (abs (eig (A)));  B = randn (n, m);  C = randn (p, n);  dt = 0.05;
    case 2   # unstable
      A = stable_random (n) + (1 + rand ()) * eye (n);  B = randn (n, m);  C = randn (p, n);
    case 3   # Kalman-decomposed behind a similarity
      d = randi ([0 3], 1, 4);  d(1) = max (d(1), 1);  n = sum (d);
      nc = d(1) + d(2);  io = [1:d(1), nc + (1:d(3))];
      A = randn (n);  A(nc+1:end, 1:nc) = 0;  A(io, setdiff (1:n, io)) = 0;
      A = A - (max (real (eig (A))) + 0.5) * eye (n);
      B = zeros (n, m);  B(1:nc, :) = randn (nc, m);  C = zeros (p, n);  C(:, io) = randn (p, numel (io));
      T = similarity (n);  A = T \ A * T;  B = T \ B;  C = C * T;
      truth = [nc, d(1) + d(3), d(1)];
    case 4   # ill-conditioned: stable diagonal, all ones
      n = 8 + randi (12);  A = -diag (1:n);  B = ones (n, 1);  C = ones (1, n);  truth = [n, n, n];
    case 5   # companion form of random stable poles
      r = -(0.5 + 3 * rand (n, 1));  pc = poly (r);  A = [zeros(n-1, 1), eye(n-1); -fliplr(pc(2:end))];
      B = [zeros(n-1, 1); 1];  C = randn (1, n);  truth(1) = n;
    case 6   # repeated eigenvalues: -I with m < n inputs
      A = -eye (n);  B = randn (n, m);  C = randn (p, n);  truth = [min(m, n), min(p, n)];
  endswitch
  writecsv ([dir "/A.csv"], A);  writecsv ([dir "/B.csv"], B);  writecsv ([dir "/C.csv"], C);
  cmd = sprintf ("%s lti --a %s/A.csv --b %s/B.csv --c %s/C.csv --json", cli, dir, dir, dir);
  if (dt > 0) cmd = [cmd sprintf(" --dt %g", dt)]; endif
  [status, out] = system (cmd);
  if (status != 0) printf ("case %d: exit %d\n", k, status); bad++; continue; endif
  j = jsondecode (out);
  if (dt > 0) sys = ss (A, B, C, 0, dt); else sys = ss (A, B, C, 0); endif
  [~, ~, ~, ~, kc] = ctrbf (A, B, C);  [~, ~, ~, ~, ko] = obsvf (A, B, C);
  nmin = rows (minreal (sys).a);
  ok = j.controllability_rank == sum (kc) && j.observability_rank == sum (ko) ...
       && j.stable == isstable (sys) && j.minimal_order == nmin;
  if (! isempty (truth))
    ## Where the structure is known, the truth decides, not Octave.
    truth_checked++;
    ours = [j.controllability_rank, j.observability_rank, j.minimal_order](1:numel (truth));
    theirs = [sum(kc), sum(ko), nmin](1:numel (truth));
    ok = isequal (ours, truth) && j.stable == isstable (sys);
    octave_wrong += ! isequal (theirs, truth);
  endif
  ev = eig (A);  ours = j.eigenvalues(:, 1) + 1i * j.eigenvalues(:, 2);
  e = 0;
  for i = 1:numel (ev), e = max (e, min (abs (ours - ev(i))) / max (1, abs (ev(i)))); endfor
  if (kind != 5 && kind != 4) worst.eig = max (worst.eig, e); endif
  if (isstable (sys))
    ok = ok && ! isempty (j.gramian_c);
    Wc = gram (sys, "c");  Wo = gram (sys, "o");  h = hsvd (sys);
    if (kind == 0 || kind == 1 || kind == 3)   # well-conditioned
      ec = norm (j.gramian_c - Wc, "fro") / norm (Wc, "fro");
      eo = norm (j.gramian_o - Wo, "fro") / norm (Wo, "fro");
      worst.gram = max ([worst.gram, ec, eo]);
      if (kind == 3)   # non-minimal: the zero HSVs are rounding, compare them to the largest
        worst.hsv_kalman = max (worst.hsv_kalman, max (abs (j.hankel_singular_values - h) ./ max (h, 1e-10 * h(1))));
      else
        big = h >= 1e-12 * h(1);   # smaller ones are rounding-level in either code
        worst.hsv = max (worst.hsv, max (abs (j.hankel_singular_values(big) - h(big)) ./ h(big)));
      endif
    endif
  else
    ok = ok && isempty (j.gramian_c) && isempty (j.gramian_o) && isempty (j.hankel_singular_values);
  endif
  if (! ok) printf ("case %d (kind %d, n %d): ranks %d/%d min %d stable %d, octave %d/%d min %d stable %d, truth %s\n", ...
                    k, kind, n, j.controllability_rank, j.observability_rank, j.minimal_order, j.stable, ...
                    sum (kc), sum (ko), nmin, isstable (sys), mat2str (truth));  bad++;  endif
endfor
printf (["%d systems (%d with ranks known by construction, where Octave missed %d): %d disagreements\n" ...
         "worst relative error: eigenvalues %.1e, Gramians %.1e, HSV %.1e (values above 1e-12 of the largest) " ...
         "(non-minimal systems: %.1e, values below 1e-10 of the largest compared with 1e-10 of it)\n"], ...
        count, truth_checked, octave_wrong, bad, worst.eig, worst.gram, worst.hsv, worst.hsv_kalman);
confirm_recursive_rmdir (false);  rmdir (dir, "s");
