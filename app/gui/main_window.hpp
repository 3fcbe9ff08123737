// The main window only composes: the probe editor (dock), the overview, layer and training
// tabs, the menus and shortcuts, the status bar with the analysis progress and Cancel, and the
// error dialogs. Analyses run in an AnalysisJob; finished ones are cached per checkpoint and
// probe text.
#pragma once

#include <QMainWindow>
#include <QPointer>
#include <memory>

#include "app/gui/core/analysis_cache.hpp"
#include "app/gui/core/analysis_result.hpp"

class QLabel;
class QLineEdit;
class QMenu;
class QMessageBox;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTabWidget;

namespace ssmscope::gui {

class AnalysisJob;
class LayerView;
class OverviewView;
class Plot;
class TrainPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT
  public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Loads and analyses the checkpoint in `dir` (a cached result shows at once). The current
    // model stays shown until the new one is ready; a failure shows an error dialog.
    void open_checkpoint(const QString& dir);
    void analyse();  // the current checkpoint again, with the probe editor's text
    void cancel_analysis();

    std::shared_ptr<const AnalysisResult> result() const { return result_; }
    bool analysing() const;
    OverviewView* overview() const { return overview_; }
    LayerView* layer_view() const { return layer_; }
    TrainPanel* train_panel() const { return train_; }
    QTabWidget* tabs() const { return tabs_; }
    QPlainTextEdit* probe_editor() const { return probe_; }
    // A tokenizer.json to use instead of the checkpoint's own (empty: the checkpoint's).
    QLineEdit* tokenizer_field() const { return tokenizer_; }
    // The layers to analyse ("0-3, 47", "all"; empty: every layer up to 1 B parameters, the
    // first, middle and last of a larger model).
    QLineEdit* layers_field() const { return layers_; }
    // The error dialog of the last failure, while it is open (for tests).
    QMessageBox* error_dialog() const;
    QList<Plot*> plots() const;  // of the current tab

    // Writes the report (JSON, or CSV by the suffix) or every plot of the current tab into a
    // folder (NAME.png or .pdf); a failure shows a message and changes nothing else.
    bool export_report(const QString& path);
    bool export_plots(const QString& dir, const QString& format);

  signals:
    void analysis_done(bool ok);  // finished (true), or failed or cancelled (false)

  protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

  private:
    void show_result(std::shared_ptr<const AnalysisResult> result);
    // Back to what was shown before the analysis began (nothing, or the previous model).
    void restore_previous();
    void show_error(const QString& title, const QString& message);
    void update_recent_menu();
    void update_actions();
    void about();

    AnalysisJob* job_;
    AnalysisCache cache_;
    std::shared_ptr<const AnalysisResult> result_;
    // While an analysis runs: the result its layers are added to as they arrive (shown as
    // result_), and what was shown before it, for a failure to go back to.
    std::shared_ptr<AnalysisResult> streaming_;
    std::shared_ptr<const AnalysisResult> previous_;
    QString pending_, pending_key_;  // the checkpoint being analysed
    AnalysisRequest pending_request_;
    bool layer_stale_ = false;  // layers arrived while the layer view was out of sight
    QTabWidget* tabs_;
    OverviewView* overview_;
    LayerView* layer_;
    TrainPanel* train_;
    QPlainTextEdit* probe_;
    QLineEdit* tokenizer_;
    QLineEdit* layers_;
    QProgressBar* progress_;
    QPushButton* cancel_;
    QLabel* status_;
    QMenu* recent_;
    // Cleared by Qt when the dialog goes, also while this window's QWidget base deletes its
    // children (a slot on `this` would then run on a half-destroyed MainWindow).
    QPointer<QMessageBox> error_;
    QAction *export_report_, *export_plots_, *analyse_;
};

}  // namespace ssmscope::gui
