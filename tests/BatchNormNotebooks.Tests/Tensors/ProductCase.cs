namespace BatchNormNotebooks.Tests.Foundation;

/// <summary>
/// A seeded matrix-product case for the MatrixProduct tests: A (m, k), B (k, n), a starting C0 (m, n), all standard
/// normal, and Expected = C0 + A·B from the plain triple loop (the readable reference the kernels must match).
/// </summary>
internal static class ProductCase
{
    public static (double[] A, double[] B, double[] C0, double[] Expected) Random(int m, int k, int n, ulong seed)
    {
        var rng = new SeededRandom(seed);
        double[] a = [.. Enumerable.Range(0, m * k).Select(_ => rng.NextNormal())];
        double[] b = [.. Enumerable.Range(0, k * n).Select(_ => rng.NextNormal())];
        double[] c0 = [.. Enumerable.Range(0, m * n).Select(_ => rng.NextNormal())];
        double[] expected = (double[])c0.Clone();
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                for (int p = 0; p < k; p++)
                {
                    expected[(i * n) + j] += a[(i * k) + p] * b[(p * n) + j];
                }
            }
        }

        return (a, b, c0, expected);
    }
}
