namespace BatchNormNotebooks.Tests.Experiments;

public class MoonStudyTests
{
    [Fact]
    public void A_small_study_holds_every_kind_and_seed_and_survives_a_round_trip()
    {
        var study = MoonStudy.Compute(seeds: [1, 2], steps: 12, etas: [0.1, 1]);
        Assert.Equal(8, study.Runs.Length);
        Assert.Equal(6, study.Landscapes.Length);
        var data = MoonStudy.Data();
        var fresh = CovariateShiftExperiments.Run(data, NetKind.NoisyBatchNorm, 2, 0.5, steps: 12);
        Assert.Equal(fresh.Loss, study.RunsOf(NetKind.NoisyBatchNorm)[1].Loss);
        Assert.Equal(fresh.Shift, study.RunsOf(NetKind.NoisyBatchNorm)[1].Shift);
        string path = Path.Combine(Path.GetTempPath(), $"moons-{Guid.NewGuid():N}.json");
        try
        {
            study.Save(path);
            var back = MoonStudy.Load(path);
            Assert.Equal(study.RunsOf(NetKind.BatchNorm)[0].Loss, back.RunsOf(NetKind.BatchNorm)[0].Loss);
            Assert.Equal(study.LandscapesOf(NetKind.NoBatchNormGlorot)[1].Beta, back.LandscapesOf(NetKind.NoBatchNormGlorot)[1].Beta);
            Assert.Equal(study.Seeds, back.Seeds);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_stored_study_is_what_the_library_computes()
    {
        var stored = NotebookData.LoadMoonStudy();
        var fresh = CovariateShiftExperiments.Run(MoonStudy.Data(stored.DataCount, stored.DataSeed, stored.Noise), NetKind.BatchNorm, stored.Seeds[0], stored.LearningRate, stored.Steps);
        Assert.Equal(fresh.Loss, stored.RunsOf(NetKind.BatchNorm)[0].Loss);
        Assert.Equal(fresh.Shift, stored.RunsOf(NetKind.BatchNorm)[0].Shift);
    }
}
