using StreamAnalytics.Hosting;

return await CommandLine.RunAsync(args).ConfigureAwait(false);
