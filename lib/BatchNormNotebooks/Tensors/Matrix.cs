using System.Globalization;
using System.Numerics;
using System.Text;

namespace BatchNormNotebooks;

/// <summary>
/// A dense row-major matrix of shape (<see cref="Rows"/>, <see cref="Cols"/>): in this library always
/// (batch, features). Element (i, j) lives at <c>Data[i * Cols + j]</c>.
/// </summary>
/// <remarks>Deliberately small: the data is a plain array so every kernel can take spans of it.
/// A version stamp lets a layer keep x by reference instead of copying it (as PyTorch's in-place check does): every
/// write through the indexer bumps <see cref="Version"/>, and once <see cref="Data"/> or <see cref="Row"/> has handed
/// the storage out (writes the matrix can no longer see), a layer that kept this matrix first takes a copy of it, and
/// later forwards copy it as before. Taught in notebooks/01-backprop-recap.
/// <para>New matrices of 85,000 bytes or more (the large-object heap) returned by the public Forward/Backward of
/// <see cref="Linear{T}"/>, <see cref="BatchNorm1d{T}"/> and the activations, by <see cref="Sequential{T}"/>'s Forward (and
/// its Backward when the first layer is one of those), by the losses' Backward and by <see cref="Clone"/> come from a
/// pool that reuses an array once the matrix that owned it is unreachable and its storage was never handed out (issue
/// 22: a fresh large array page-faults on every page when first written). What a caller may rely on: the pool never
/// changes values they hold. A matrix they hold keeps its array; an array or row they took with <see cref="Data"/> or
/// <see cref="Row"/> is theirs for good, even after the matrix is gone; a matrix wrapping their own array is never
/// pooled. (The buffered training path is another matter: its results are the layers' own buffers, overwritten by the
/// next call, as documented there.)</para></remarks>
public sealed class Matrix<T> where T : IFloatingPointIeee754<T>
{
    private readonly T[] _data;
    private int _version;
    private bool _handedOut;
    private List<IMatrixKeeper<T>>? _keepers;
    private OutputPool.Lease? _lease;

    /// <summary>Creates a zero matrix of shape (rows, cols).</summary>
    public Matrix(int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        Rows = rows;
        Cols = cols;
        _data = new T[checked(rows * cols)];
    }

    /// <summary>Wraps <paramref name="data"/> (not copied) as a (rows, cols) matrix.</summary>
    /// <remarks>The caller still holds the array, so layers copy such a matrix rather than keep it.</remarks>
    public Matrix(int rows, int cols, T[] data)
        : this(rows, cols, data, handedOut: true)
    {
    }

    private Matrix(int rows, int cols, T[] data, bool handedOut)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        if (data.Length != rows * cols)
        {
            throw new ArgumentException($"Data has {data.Length} elements but shape ({rows}, {cols}) needs {rows * cols}.", nameof(data));
        }

        Rows = rows;
        Cols = cols;
        _data = data;
        _handedOut = handedOut;
    }

    /// <summary>Number of rows (the batch size).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (the features).</summary>
    public int Cols { get; }

    /// <summary>The elements, row-major.</summary>
    /// <remarks>Handing the array out means writes to it are invisible to <see cref="Version"/>: a layer that kept
    /// this matrix by reference copies it now, before the caller can change it.</remarks>
    public T[] Data
    {
        get
        {
            HandOut();
            return _data;
        }
    }

    /// <summary>Bumped by every write through the indexer; layers that keep x by reference compare it in Backward.</summary>
    internal int Version => _version;

    /// <summary>The elements for the library's own kernels: no hand-out (they neither keep nor expose the array).</summary>
    /// <remarks>The array may be pooled (<see cref="OutputPool"/>): it is this matrix's only while the matrix is
    /// reachable, so a caller keeps the matrix alive (returns or keeps it, or <see cref="GC.KeepAlive"/> after the last
    /// use of the array) and never stores the array itself.</remarks>
    internal T[] Storage => _data;

    /// <summary>True while every write to this matrix goes through the indexer (its storage was never handed out),
    /// so a layer may keep it by reference and trust <see cref="Version"/>.</summary>
    internal bool CanBeKept => !_handedOut;

    /// <summary>The shape as text, e.g. "(4, 2)".</summary>
    public string Shape => $"({Rows}, {Cols})";

    /// <summary>Element (i, j).</summary>
    /// <exception cref="ArgumentOutOfRangeException">(i, j) outside the shape; the message names both.</exception>
    public T this[int i, int j]
    {
        get
        {
            T value = _data[Index(i, j)];
            GC.KeepAlive(this);   // a pooled array stays this matrix's until the read is done
            return value;
        }

        set
        {
            _data[Index(i, j)] = value;
            _version++;
        }
    }

    /// <summary>Row <paramref name="i"/> as a span (a writable view: hands the storage out, like <see cref="Data"/>).</summary>
    public Span<T> Row(int i)
    {
        HandOut();
        return StorageRow(i);
    }

    /// <summary>Row <paramref name="i"/> for the library's own kernels (no hand-out).</summary>
    internal Span<T> StorageRow(int i)
    {
        if ((uint)i >= (uint)Rows)
        {
            throw new ArgumentOutOfRangeException(nameof(i), i, $"Row {i} is outside a matrix of shape {Shape}.");
        }

        return _data.AsSpan(i * Cols, Cols);
    }

    /// <summary>A (rows, cols) matrix whose elements are not zeroed (the caller overwrites all of them) and which
    /// layers may keep by reference; from <see cref="OutputPool"/> when its array would live on the large-object heap.</summary>
    internal static Matrix<T> Uninitialized(int rows, int cols) =>
        OutputPool.IsPooled<T>(checked(rows * cols)) ? OutputPool.Rent<T>(rows, cols) : Untracked(rows, cols);

    /// <summary>Like <see cref="Uninitialized"/> with a new array the pool does not track.</summary>
    internal static Matrix<T> Untracked(int rows, int cols) =>
        new(rows, cols, GC.AllocateUninitializedArray<T>(checked(rows * cols)), handedOut: false);

    /// <summary>For <see cref="OutputPool"/>: a matrix over a pooled array and its lease (null: attached next).</summary>
    internal static Matrix<T> Leased(int rows, int cols, T[] data, OutputPool.Lease? lease) =>
        new(rows, cols, data, handedOut: false) { _lease = lease };

    /// <summary>For <see cref="OutputPool"/>: attaches the lease of a matrix made with a new pooled array.</summary>
    internal void AttachLease(OutputPool.Lease lease) => _lease = lease;

    /// <summary>The pool's lease on this matrix's array; null when not pooled or once handed out.</summary>
    internal OutputPool.Lease? Lease => _lease;

    /// <summary>Registers a layer that keeps this matrix by reference: before the storage is handed out, it takes a copy.</summary>
    internal void AddKeeper(IMatrixKeeper<T> keeper)
    {
        _keepers ??= [];
        if (!_keepers.Contains(keeper))
        {
            _keepers.Add(keeper);
        }
    }

    /// <summary>Marks the storage as shared (a layer's reused buffer, written without the indexer): never kept by reference.</summary>
    internal void MarkShared() => HandOut();

    private void HandOut()
    {
        if (_handedOut)
        {
            return;
        }

        _handedOut = true;
        if (_lease is { } lease)
        {
            _lease = null;
            OutputPool.Forget(lease);   // the caller may keep the array after this matrix dies: never reuse it
        }

        var keepers = _keepers;
        _keepers = null;
        if (keepers is not null)
        {
            foreach (var keeper in keepers)
            {
                keeper.BeforeHandOut(this);
            }
        }
    }

    /// <summary>Column <paramref name="j"/> copied into a new array.</summary>
    public T[] Column(int j)
    {
        if ((uint)j >= (uint)Cols)
        {
            throw new ArgumentOutOfRangeException(nameof(j), j, $"Column {j} is outside a matrix of shape {Shape}.");
        }

        var c = new T[Rows];
        for (int i = 0; i < Rows; i++)
        {
            c[i] = _data[(i * Cols) + j];
        }

        GC.KeepAlive(this);   // a pooled array stays this matrix's until the copy is done
        return c;
    }

    /// <summary>A matrix from nested rows, e.g. <c>Matrix&lt;double&gt;.FromRows([[10, 12], [6, 8]])</c>.</summary>
    public static Matrix<T> FromRows(T[][] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int cols = rows.Length == 0 ? 0 : rows[0].Length;
        var m = new Matrix<T>(rows.Length, cols);
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i].Length != cols)
            {
                throw new ArgumentException($"Row {i} has {rows[i].Length} values but row 0 has {cols}.", nameof(rows));
            }

            rows[i].CopyTo(m._data, i * cols);
        }

        return m;
    }

    /// <summary>A (rows, cols) matrix with every element equal to <paramref name="value"/>.</summary>
    public static Matrix<T> Filled(int rows, int cols, T value)
    {
        var m = new Matrix<T>(rows, cols);
        m._data.AsSpan().Fill(value);
        return m;
    }

    /// <summary>A (rows, cols) matrix of standard normal draws from <paramref name="random"/>, times <paramref name="scale"/>.</summary>
    public static Matrix<T> RandomNormal(int rows, int cols, SeededRandom random, double scale = 1.0)
    {
        ArgumentNullException.ThrowIfNull(random);
        var m = new Matrix<T>(rows, cols);
        for (int k = 0; k < m._data.Length; k++)
        {
            m._data[k] = T.CreateChecked(random.NextNormal() * scale);
        }

        return m;
    }

    /// <summary>A deep copy (a large one reuses a pooled array, see the remarks on <see cref="Matrix{T}"/>).</summary>
    public Matrix<T> Clone()
    {
        var m = Uninitialized(Rows, Cols);
        _data.AsSpan().CopyTo(m._data);
        GC.KeepAlive(this);   // a pooled array stays this matrix's until the copy is done
        return m;
    }

    /// <summary>The same values converted to another element type.</summary>
    public Matrix<TOther> Cast<TOther>() where TOther : IFloatingPointIeee754<TOther>
    {
        var m = new Matrix<TOther>(Rows, Cols);
        for (int k = 0; k < _data.Length; k++)
        {
            m.Storage[k] = TOther.CreateChecked(_data[k]);
        }

        GC.KeepAlive(this);
        return m;
    }

    /// <summary>Rows <paramref name="start"/> … start+count−1 copied into a new (count, Cols) matrix.</summary>
    public Matrix<T> SliceRows(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Rows)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Rows {start}..{start + count - 1} are outside a matrix of shape {Shape}.");
        }

        var m = new Matrix<T>(count, Cols);
        _data.AsSpan(start * Cols, count * Cols).CopyTo(m._data);
        GC.KeepAlive(this);
        return m;
    }

    /// <summary>The rows listed in <paramref name="indices"/>, in that order.</summary>
    public Matrix<T> GatherRows(ReadOnlySpan<int> indices)
    {
        var m = new Matrix<T>(indices.Length, Cols);
        for (int r = 0; r < indices.Length; r++)
        {
            if ((uint)indices[r] >= (uint)Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"indices[{r}] = {indices[r]} is not a row of a matrix of shape {Shape}.");
            }

            StorageRow(indices[r]).CopyTo(m.StorageRow(r));
        }

        GC.KeepAlive(this);
        return m;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming both shapes unless <paramref name="other"/> has this shape.</summary>
    /// <param name="other">The matrix to compare.</param>
    /// <param name="what">The start of the message, e.g. "Mean squared error: target must have the output's shape".</param>
    /// <param name="paramName">The caller's name for <paramref name="other"/>, reported as the exception's ParamName.</param>
    public void EnsureSameShape(Matrix<T> other, string what, string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(other, paramName ?? nameof(other));
        if (other.Rows != Rows || other.Cols != Cols)
        {
            throw new ArgumentException($"{what}: expected shape {Shape} but got {other.Shape}.", paramName);
        }
    }

    /// <summary>Readable text: the shape, then rows (at most 8 rows and 8 columns, with "…" for the rest).</summary>
    public override string ToString() => ToString(8);

    /// <summary>Readable text with at most <paramref name="maxShown"/> rows and columns.</summary>
    public string ToString(int maxShown)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Matrix<{typeof(T).Name}> {Shape}");
        int rows = Math.Min(Rows, maxShown);
        int cols = Math.Min(Cols, maxShown);
        for (int i = 0; i < rows; i++)
        {
            sb.AppendLine().Append("  [");
            for (int j = 0; j < cols; j++)
            {
                sb.Append(Format(this[i, j]).PadLeft(10));
                if (j < cols - 1)
                {
                    sb.Append(',');
                }
            }

            sb.Append(cols < Cols ? ", …]" : "]");
        }

        if (rows < Rows)
        {
            sb.AppendLine().Append(CultureInfo.InvariantCulture, $"  … ({Rows - rows} more rows)");
        }

        return sb.ToString();
    }

    /// <summary>Formats one element with 4 significant digits, invariant culture.</summary>
    public static string Format(T value) => value.ToString("G4", CultureInfo.InvariantCulture);

    private int Index(int i, int j)
    {
        if ((uint)i >= (uint)Rows || (uint)j >= (uint)Cols)
        {
            ThrowOutside(i, j);
        }

        return (i * Cols) + j;
    }

    private void ThrowOutside(int i, int j) => throw new ArgumentOutOfRangeException((uint)i >= (uint)Rows ? nameof(i) : nameof(j),
        $"Index ({i}, {j}) is outside a matrix of shape {Shape}: i must lie in 0…{Rows - 1} and j in 0…{Cols - 1}.");
}

/// <summary>A layer that keeps a <see cref="Matrix{T}"/> by reference and must copy it before its storage is handed out.</summary>
internal interface IMatrixKeeper<T> where T : IFloatingPointIeee754<T>
{
    /// <summary>Called once, just before <paramref name="matrix"/>'s storage is handed out.</summary>
    void BeforeHandOut(Matrix<T> matrix);
}
